// CaseClock console: live countdowns to each deadline, and a confirmation before irreversible forms.
// Served from /static (the Content-Security-Policy allows no inline script). No framework.
'use strict';
(function () {
  // The same wording as domain/wording.ts (durationInWords, dueIn): at most two units, the
  // largest first, each truncated; "due in ..." before the deadline, "... overdue" after it.
  function unit(n, name) {
    return n + ' ' + name + (n === 1 ? '' : 's');
  }
  function pair(big, bigName, small, smallName) {
    return small > 0 ? unit(big, bigName) + ' ' + unit(small, smallName) : unit(big, bigName);
  }
  function words(ms) {
    var t = Math.abs(ms);
    if (t < 1000) return 'less than a second';
    if (t < 60000) return unit(Math.floor(t / 1000), 'second');
    if (t < 3600000) return pair(Math.floor(t / 60000), 'minute', Math.floor((t % 60000) / 1000), 'second');
    if (t < 86400000) return pair(Math.floor(t / 3600000), 'hour', Math.floor((t % 3600000) / 60000), 'minute');
    return pair(Math.floor(t / 86400000), 'day', Math.floor((t % 86400000) / 3600000), 'hour');
  }
  function tick() {
    var now = Date.now();
    var items = document.querySelectorAll('time[data-countdown]');
    for (var i = 0; i < items.length; i++) {
      var el = items[i];
      var due = Date.parse(el.getAttribute('datetime') || '');
      if (isNaN(due)) continue;
      var left = due - now;
      el.textContent = left === 0 ? 'due now' : left > 0 ? 'due in ' + words(left) : words(left) + ' overdue';
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
