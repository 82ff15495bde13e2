// CaseClock console: live countdowns to each deadline, a confirmation before irreversible forms, and
// data tables labelled for a phone.
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
  // On a narrow screen each row of a data table is a card (console.css, "Phones"): every body cell
  // gets its column's heading as data-label, shown beside its value, and the value one box of its
  // own (div.cell) so the two sit side by side. Headings are read from the table's own <thead>, so
  // the labels never drift from them; without this script the cells stack unlabelled.
  function labelTables() {
    var tables = document.querySelectorAll('table.data');
    for (var t = 0; t < tables.length; t++) {
      var headRows = tables[t].querySelectorAll('thead tr');
      if (headRows.length === 0) continue;
      var labels = [];
      var heads = headRows[headRows.length - 1].children;
      for (var h = 0; h < heads.length; h++) {
        for (var span = 0; span < (heads[h].colSpan || 1); span++) labels.push((heads[h].textContent || '').replace(/\s+/g, ' ').trim());
      }
      var rows = tables[t].querySelectorAll('tbody tr');
      for (var r = 0; r < rows.length; r++) {
        var column = 0;
        var cells = rows[r].children;
        for (var c = 0; c < cells.length; c++) {
          var cell = cells[c];
          var label = (cell.colSpan || 1) === 1 ? labels[column] : '';
          column += cell.colSpan || 1;
          if (!label || cell.hasAttribute('data-label') || cell.childNodes.length === 0) continue;
          var value = document.createElement('div');
          value.className = 'cell';
          while (cell.firstChild) value.appendChild(cell.firstChild);
          cell.appendChild(value);
          cell.setAttribute('data-label', label);
        }
      }
    }
  }
  document.addEventListener('DOMContentLoaded', function () {
    labelTables();
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
