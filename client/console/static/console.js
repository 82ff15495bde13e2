// CaseClock console: live countdowns to each deadline, and a confirmation before irreversible forms.
// Served from /static (the Content-Security-Policy allows no inline script). No framework.
'use strict';
(function () {
  function words(ms) {
    var minutes = Math.floor(ms / 60000);
    var days = Math.floor(minutes / 1440);
    var hours = Math.floor((minutes % 1440) / 60);
    var mins = minutes % 60;
    if (days > 0) return days + (days === 1 ? ' day ' : ' days ') + hours + (hours === 1 ? ' hour' : ' hours');
    if (hours > 0) return hours + (hours === 1 ? ' hour ' : ' hours ') + mins + ' min';
    if (minutes > 0) return minutes + ' min ' + Math.floor((ms % 60000) / 1000) + ' s';
    return Math.max(0, Math.floor(ms / 1000)) + ' s';
  }
  function tick() {
    var now = Date.now();
    var items = document.querySelectorAll('time[data-countdown]');
    for (var i = 0; i < items.length; i++) {
      var el = items[i];
      var due = Date.parse(el.getAttribute('datetime') || '');
      if (isNaN(due)) continue;
      var left = due - now;
      el.textContent = left > 0 ? 'due in ' + words(left) : words(-left) + ' overdue';
      el.classList.toggle('late', left <= 0);
    }
  }
  document.addEventListener('DOMContentLoaded', function () {
    tick();
    setInterval(tick, 1000);
    var forms = document.querySelectorAll('form[data-confirm]');
    for (var i = 0; i < forms.length; i++) {
      forms[i].addEventListener('submit', function (event) {
        if (!window.confirm(this.getAttribute('data-confirm') || 'Continue?')) event.preventDefault();
      });
    }
  });
})();
