// Live status page: polls the health and stats endpoints every two seconds.
'use strict';

function cell(row, text, cls) {
  const td = row.insertCell();
  if (cls) {
    const span = document.createElement('span');
    span.className = cls;
    span.textContent = text;
    td.className = 'state';
    td.appendChild(span);
  } else {
    td.textContent = text;
  }
}

async function refresh() {
  try {
    const health = await (await fetch('/about/health')).json();
    const overall = document.getElementById('overall');
    overall.textContent = health.status;
    overall.className = 'badge ' + health.status;
    document.getElementById('version').textContent = health.version || '';
    const body = document.querySelector('#health tbody');
    body.replaceChildren();
    for (const [name, s] of Object.entries(health.subsystems || {})) {
      const row = body.insertRow();
      cell(row, name);
      cell(row, s.state, s.state);
      cell(row, s.since);
      cell(row, s.detail);
    }
    const stats = await (await fetch('/about/stats')).json();
    const sbody = document.querySelector('#stats tbody');
    sbody.replaceChildren();
    for (const key of ['conferences', 'participants', 'stress_level', 'graceful_shutdown',
                       'total_conferences_completed', 'total_participants', 'threads']) {
      const row = sbody.insertRow();
      cell(row, key);
      cell(row, String(stats[key]));
    }
  } catch (e) {
    const overall = document.getElementById('overall');
    overall.textContent = 'unreachable';
    overall.className = 'badge down';
  }
}

refresh();
setInterval(refresh, 2000);
