// The conformance report's results table and case views, built from the JSON blob above.
// Case data only ever reaches the page through textContent, attribute values and
// createElementNS: never innerHTML, so a message that looks like markup stays text.
(function () {
  'use strict';

  const DATA = JSON.parse(document.getElementById('report-data').textContent);
  const RECORDS = DATA.records;
  const STATUSES = DATA.statuses;
  const SEVERITY = new Map(DATA.severity.map((status, i) => [status, i]));
  const FAILURES = DATA.failures;      // the unexpected statuses and missing
  // Shown when the fragment names no status: all but the hidden ones (not_run).
  const DEFAULT_STATUSES = STATUSES.filter((s) => !DATA.hidden.includes(s));
  const SVG_NS = document.getElementById('svg-defs').namespaceURI;
  const GRID_ROWS = 16;     // at most this many rows and columns of a tensor are drawn;
  const GRID_COLS = 16;     // the statistics always cover the whole tensor
  const STRIP_LENGTH = 64;  // at most this many values of a 1-D (or flattened) tensor

  const body = document.getElementById('results-body');
  const shown = document.getElementById('shown');
  const noResults = document.getElementById('no-results');
  const areaSelect = document.getElementById('area-filter');
  const pairSelect = document.getElementById('pair-filter');
  const search = document.getElementById('search');
  const statusBoxes = Array.from(document.querySelectorAll('input[name=status]'));
  const countSpans = new Map(Array.from(document.querySelectorAll('[data-count-for]'))
    .map((span) => [span.dataset.countFor, span]));
  const sortHeads = Array.from(document.querySelectorAll('th button[data-sort]'));
  const notRunToggle = document.getElementById('toggle-not-run');

  const BATCH_ROWS = 250;
  let pending = [];   // the sorted records that pass the filters
  let drawn = 0;      // how many of them have rows in the table
  const moreButton = el('button', 'more-rows');
  moreButton.type = 'button';
  const moreCell = el('td', null, moreButton);
  moreCell.colSpan = 7;
  const moreRow = el('tr', 'more-row', moreCell);

  const state = {
    statuses: new Set(STATUSES), area: '', pair: '', query: '',
    sort: 'status', descending: false, open: new Set(),
  };

  // ---------------------------------------------------------------------------------------
  // Small DOM helpers

  function el(tag, className, ...children) {
    const node = document.createElement(tag);
    if (className) node.className = className;
    node.append(...children.filter((c) => c !== null && c !== undefined));
    return node;
  }

  function svg(tag, attributes) {
    const node = document.createElementNS(SVG_NS, tag);
    for (const [name, value] of Object.entries(attributes || {})) {
      node.setAttribute(name, String(value));
    }
    return node;
  }

  function badge(status, prefix) {
    return el('span', 'badge ' + (prefix || 'st-') + status, status);
  }

  function formatNumber(value) {
    if (typeof value !== 'number') return String(value);
    if (Number.isInteger(value)) return String(value);
    const abs = Math.abs(value);
    if (abs !== 0 && (abs < 1e-4 || abs >= 1e6)) return value.toExponential(4);
    return String(Number(value.toPrecision(6)));
  }

  function numeric(value) {
    if (typeof value === 'number') return value;
    if (typeof value === 'boolean') return value ? 1 : 0;
    if (value === 'nan') return NaN;
    if (value === 'inf') return Infinity;
    if (value === '-inf') return -Infinity;
    return NaN;
  }

  function laneLabel(lane) {
    return DATA.lanes[lane] || lane;
  }

  // ---------------------------------------------------------------------------------------
  // Filtering, sorting and the URL fragment

  let DETAILS = null;   // the expanded views' data: parsed on the first expand

  function withDetails(record) {
    if (!record.observables) {
      if (!DETAILS) DETAILS = JSON.parse(document.getElementById('report-details').textContent);
      Object.assign(record, DETAILS.records[record.index]);
    }
    return record;
  }

  function haystack(record) {
    if (record.haystack === undefined) {
      record.haystack = [record.id, record.area, record.pair, record.status, record.reason,
        record.summary, record.text].join('\n').toLowerCase();
    }
    return record.haystack;
  }
  RECORDS.forEach((record, index) => { record.index = index; });

  const SORT_KEYS = {
    status: (r) => SEVERITY.get(r.status),
    case: (r) => r.case,
    area: (r) => r.area,
    pair: (r) => r.pair,
    summary: (r) => r.summary,
    max_abs: (r) => {
      if (r.max_abs === null || r.max_abs === undefined) return -1;
      const value = numeric(r.max_abs);
      return Number.isNaN(value) ? Infinity : value;   // a nan error is the largest of all
    },
    duration: (r) => (typeof r.duration_s === 'number' ? r.duration_s : -1),
  };

  function compare(a, b) {
    if (a < b) return -1;
    if (a > b) return 1;
    return 0;
  }

  function sortRecords(list) {
    const key = SORT_KEYS[state.sort] || SORT_KEYS.status;
    const sign = state.descending ? -1 : 1;
    const keyed = list.map((r) => [key(r), r]);
    keyed.sort((x, y) => sign * compare(x[0], y[0]) || compare(x[1].id, y[1].id));
    return keyed.map((pair) => pair[1]);
  }

  function matchesQuery(record, terms) {
    const text = haystack(record);
    return terms.every((term) => text.includes(term));
  }

  function render() {
    const terms = state.query.toLowerCase().split(/\s+/).filter(Boolean);
    const counts = Object.fromEntries(STATUSES.map((s) => [s, 0]));
    const visible = [];
    for (const record of RECORDS) {
      if (state.area && record.area !== state.area) continue;
      if (state.pair && record.pair !== state.pair) continue;
      if (terms.length && !matchesQuery(record, terms)) continue;
      counts[record.status] = (counts[record.status] || 0) + 1;
      if (state.statuses.has(record.status)) visible.push(record);
    }
    for (const [status, span] of countSpans) span.textContent = String(counts[status] || 0);

    pending = sortRecords(visible);
    drawn = 0;
    body.replaceChildren();
    // Draw at least one batch, and every row down to the last case the fragment opens.
    let last = 0;
    pending.forEach((record, index) => { if (state.open.has(record.id)) last = index + 1; });
    drawMore(Math.max(BATCH_ROWS, last));
    shown.textContent = visible.length + ' of ' + RECORDS.length + ' records shown';
    noResults.hidden = visible.length > 0;
    for (const button of sortHeads) {
      const th = button.parentElement;
      if (button.dataset.sort === state.sort) {
        th.setAttribute('aria-sort', state.descending ? 'descending' : 'ascending');
      } else {
        th.removeAttribute('aria-sort');
      }
    }
    if (notRunToggle) {
      const showing = DATA.hidden.every((s) => state.statuses.has(s));
      notRunToggle.textContent = showing ? 'hide them' : 'show them';
      notRunToggle.setAttribute('aria-pressed', String(showing));
    }
    writeHash();
  }

  // Rows are drawn in batches: a long table costs the browser seconds of layout, and a
  // reviewer reads from the top. The rest follows as the end of the table scrolls into view.
  function drawMore(count) {
    const fragment = document.createDocumentFragment();
    const end = Math.min(pending.length, drawn + count);
    for (; drawn < end; drawn++) {
      const record = pending[drawn];
      fragment.appendChild(rowOf(record));
      if (state.open.has(record.id)) fragment.appendChild(detailRowOf(record));
    }
    moreRow.remove();
    if (drawn < pending.length) {
      moreButton.textContent = 'Show ' + Math.min(BATCH_ROWS, pending.length - drawn)
        + ' more (' + (pending.length - drawn) + ' not drawn yet)';
      fragment.appendChild(moreRow);
    }
    body.appendChild(fragment);
  }

  function readHash() {
    const params = new URLSearchParams(window.location.hash.slice(1));
    const statuses = params.get('status');
    state.statuses = new Set(statuses === null ? DEFAULT_STATUSES
      : statuses.split(',').filter((s) => STATUSES.includes(s)));
    state.area = params.get('area') || '';
    state.pair = params.get('pair') || '';
    state.query = params.get('q') || '';
    const sort = params.get('sort');
    state.sort = sort !== null && Object.hasOwn(SORT_KEYS, sort) ? sort : 'status';
    state.descending = params.get('desc') === '1';
    state.open = new Set(params.getAll('open'));
    for (const box of statusBoxes) box.checked = state.statuses.has(box.value);
    areaSelect.value = state.area;
    if (areaSelect.value !== state.area) state.area = areaSelect.value;  // unknown area
    pairSelect.value = state.pair;
    if (pairSelect.value !== state.pair) state.pair = pairSelect.value;
    search.value = state.query;
  }

  function writeHash() {
    const params = new URLSearchParams();
    const isDefault = state.statuses.size === DEFAULT_STATUSES.length
      && DEFAULT_STATUSES.every((s) => state.statuses.has(s));
    if (!isDefault) {
      params.set('status', STATUSES.filter((s) => state.statuses.has(s)).join(','));
    }
    if (state.area) params.set('area', state.area);
    if (state.pair) params.set('pair', state.pair);
    if (state.query) params.set('q', state.query);
    if (state.sort !== 'status') params.set('sort', state.sort);
    if (state.descending) params.set('desc', '1');
    for (const id of state.open) params.append('open', id);
    const text = params.toString();
    if (text !== window.location.hash.slice(1)) {
      const base = window.location.href.split('#')[0];
      history.replaceState(null, '', text ? base + '#' + text : base);
    }
  }

  // ---------------------------------------------------------------------------------------
  // Rows

  function rowOf(record) {
    if (record.row) return record.row;
    const row = el('tr', 'rec st-' + record.status);
    row.record = record;
    const toggle = el('button', 'toggle', record.case);
    toggle.type = 'button';
    toggle.title = record.id;
    toggle.setAttribute('aria-expanded', 'false');
    const summary = el('td', 'summary', record.summary);
    summary.title = record.summary;
    row.append(
      el('td', null, badge(record.status)),
      el('td', null, toggle),
      el('td', null, record.area),
      el('td', null, record.pair),
      summary,
      el('td', 'num', record.max_abs === null || record.max_abs === undefined ? ''
        : formatNumber(record.max_abs)),
      el('td', 'num', typeof record.duration_s === 'number'
        ? (record.duration_s * 1000).toFixed(1) + ' ms' : ''));
    record.row = row;
    return row;
  }

  function setOpen(record, open) {
    const row = rowOf(record);
    row.classList.toggle('open', open);
    row.querySelector('button.toggle').setAttribute('aria-expanded', String(open));
  }

  function toggleRecord(record) {
    if (state.open.has(record.id)) {
      state.open.delete(record.id);
      if (record.detailRow) record.detailRow.remove();
      setOpen(record, false);
    } else {
      state.open.add(record.id);
      record.row.after(detailRowOf(record));
      setOpen(record, true);
    }
    writeHash();
  }

  function detailRowOf(record) {
    setOpen(record, true);
    if (record.detailRow) return record.detailRow;
    const cell = el('td', null, detailOf(record));
    cell.colSpan = 7;
    record.detailRow = el('tr', 'detail', cell);
    record.detailRow.dataset.id = record.id;
    return record.detailRow;
  }

  // ---------------------------------------------------------------------------------------
  // One case, expanded: every observable side by side, graphs, reproducer, source

  function detailOf(record) {
    withDetails(record);
    const box = el('div', 'detail-body');
    const head = el('div', 'detail-head', badge(record.status), el('code', null, record.id),
      el('span', null, laneLabel(record.left) + '  vs  ' + laneLabel(record.right)));
    box.append(head);
    if (record.reason) box.append(el('p', 'reason', record.reason));
    if (record.reference) box.append(el('p', 'reference', record.reference));
    if (record.sanitised) {
      box.append(el('p', 'sanitised', 'Text the target produced was made safe to show ' +
        '(control characters, unpaired surrogates or oversized text replaced): what is shown ' +
        'here is not byte for byte what the target printed.'));
    }

    if (record.observables.length) {
      const table = el('table', 'observables');
      const cols = el('colgroup', null, el('col', 'obs-name'), el('col'), el('col'));
      const headRow = el('tr', null, el('th', null, 'Observable'),
        el('th', null, laneLabel(record.left)), el('th', null, laneLabel(record.right)));
      const rows = el('tbody');
      for (const obs of record.observables) rows.append(...observableRows(obs, record));
      table.append(cols, el('thead', null, headRow), rows);
      box.append(table);
    } else {
      box.append(el('p', 'empty', 'No observables were recorded for this record.'));
    }

    for (const name of record.extra_graphs) {
      const layouts = record.graphs[name];
      box.append(el('h4', null, 'Autograd graph: ' + name),
        el('div', 'side-by-side',
          el('div', null, el('div', 'graph-note', laneLabel(record.left)),
            graphOrNone(layouts.left)),
          el('div', null, el('div', 'graph-note', laneLabel(record.right)),
            graphOrNone(layouts.right))));
    }

    if (record.reproducer) box.append(reproducerOf(record));
    const source = DETAILS.sources[record.case];
    if (source) {
      const details = el('details', 'source', el('summary', null, 'Case source'),
        el('pre', 'repro', source));
      box.append(details);
    }
    return box;
  }

  function reproducerOf(record) {
    const button = el('button', 'copy', 'Copy');
    button.type = 'button';
    button.addEventListener('click', (event) => {
      event.stopPropagation();
      copyText(record.reproducer, button);
    });
    return el('div', 'reproducer',
      el('div', 'repro-head', el('h4', null, 'Reproducer'), button),
      el('pre', 'repro', record.reproducer));
  }

  function copyText(text, button) {
    const done = (how) => {
      button.dataset.copied = how;
      button.textContent = how === 'failed' ? 'Select the text and copy it' : 'Copied';
      window.setTimeout(() => { button.textContent = 'Copy'; }, 1500);
    };
    if (navigator.clipboard && window.isSecureContext) {
      navigator.clipboard.writeText(text).then(() => done('clipboard'),
        () => done(fallbackCopy(text) ? 'fallback' : 'failed'));
    } else {
      done(fallbackCopy(text) ? 'fallback' : 'failed');
    }
  }

  function fallbackCopy(text) {
    // A selected off-screen textarea and execCommand: works where the Clipboard API is off.
    const area = document.createElement('textarea');
    area.value = text;
    area.setAttribute('readonly', '');
    area.style.position = 'fixed';
    area.style.left = '-9999px';
    document.body.appendChild(area);
    area.select();
    let copied = false;
    try {
      copied = document.execCommand('copy');
    } catch (error) {
      copied = false;
    }
    area.remove();
    return copied;
  }

  function observableRows(obs, record) {
    const status = obs.status || 'exact';
    const nameCell = el('th', null,
      el('div', 'obs-name-text', obs.name),
      el('div', 'obs-kind', obs.kind + ' ', badge(status, 'obs-')));
    nameCell.scope = 'row';
    if (obs.detail) nameCell.append(el('div', 'obs-detail', obs.detail));
    const row = el('tr', 'obs-row obs-row-' + status, nameCell,
      el('td', null, valueCell(obs, 'left', record)),
      el('td', null, valueCell(obs, 'right', record)));
    const rows = [row];
    if (obs.left && obs.right && obs.left.type === 'tensor' && obs.right.type === 'tensor'
        && status !== 'exact') {
      const cell = el('td', null, tensorDifference(obs));
      cell.colSpan = 2;
      const label = el('th', null, el('div', 'obs-kind', 'difference, ' + obs.name));
      label.scope = 'row';
      rows.push(el('tr', 'obs-diff-row', label, cell));
    }
    return rows;
  }

  function valueCell(obs, side, record) {
    const value = obs[side];
    const other = obs[side === 'left' ? 'right' : 'left'];
    if (obs.graph !== undefined && value && value.type === 'graph') {
      const layouts = record.graphs[obs.graph] || {};
      return el('div', 'cell-scroll', graphOrNone(layouts[side]));
    }
    return el('div', 'cell-scroll', renderValue(value, other, obs, side));
  }

  function renderValue(value, other, obs, side) {
    if (value === null || value === undefined) return el('span', 'none', '—');
    if (typeof value !== 'object') return el('pre', null, JSON.stringify(value));
    const diff = obs && obs.diff ? obs.diff[side] : null;
    switch (value.type) {
      case 'tensor':
        return tensorView(value, other && other.type === 'tensor' ? other : null, obs);
      case 'error': {
        if (diff) return textDiff(diff, side);
        const base = value.base && value.base !== value.class ? ' (' + value.base + ')' : '';
        return el('div', null, el('span', 'errclass', value.class + base + ': '),
          el('pre', null, value.message));
      }
      case 'warnings': {
        const box = el('div');
        if (diff) {
          box.append(textDiff(diff, side));
        } else if (!value.warnings.length) {
          box.append(el('span', 'none', '(no warnings)'));
        } else {
          const list = el('ul', 'warnings');
          for (const w of value.warnings) {
            list.append(el('li', null, el('span', 'errclass', w.category + ': '),
              el('span', 'mono', w.message)));
          }
          box.append(list);
        }
        box.append(el('div', 'obs-kind', 'result:'),
          renderValue(value.result, other ? other.result : null, null, side));
        return box;
      }
      case 'missing':
        return el('div', null, el('span', 'badge st-missing', 'missing'), ' ',
          el('code', null, value.name));
      case 'value':
        if (diff) return textDiff(diff, side);
        return el('pre', null, value.repr);
      case 'graph':
        return el('span', 'none', '(graph not drawn)');
      default:
        return el('pre', null, JSON.stringify(value, null, 1));
    }
  }

  function textDiff(segments, side) {
    const pre = el('pre', 'textdiff');
    for (const [changed, text] of segments) {
      pre.append(changed ? el(side === 'left' ? 'del' : 'ins', null, text)
        : document.createTextNode(text));
    }
    return pre;
  }

  // ---------------------------------------------------------------------------------------
  // Tensors

  const META_FIELDS = ['dtype', 'shape', 'device', 'requires_grad', 'is_leaf', 'grad_fn'];

  function flatten(values, out) {
    if (Array.isArray(values)) {
      for (const v of values) flatten(v, out);
    } else {
      out.push(values);
    }
    return out;
  }

  function strides(shape) {
    const out = new Array(shape.length);
    let step = 1;
    for (let i = shape.length - 1; i >= 0; i--) {
      out[i] = step;
      step *= shape[i];
    }
    return out;
  }

  function flatIndex(index, shape) {
    const step = strides(shape);
    return index.reduce((sum, v, i) => sum + v * step[i], 0);
  }

  function mismatchSet(obs, shape) {
    return new Set((obs && obs.mismatch ? obs.mismatch : []).map((i) => flatIndex(i, shape)));
  }

  function tensorView(tensor, other, obs) {
    const box = el('div');
    const meta = el('table', 'meta');
    for (const field of META_FIELDS) {
      const text = JSON.stringify(tensor[field] === undefined ? null : tensor[field]);
      const cell = el('td', null, text);
      if (other && JSON.stringify(other[field] === undefined ? null : other[field]) !== text) {
        cell.className = 'differs';
      }
      meta.append(el('tr', null, el('td', null, field), cell));
    }
    box.append(meta);
    const shape = tensor.shape || [];
    const flat = flatten(tensor.values, []);
    const sameShape = other && JSON.stringify(other.shape) === JSON.stringify(shape);
    const marks = sameShape ? mismatchSet(obs, shape) : new Set();
    const worst = sameShape && obs && obs.status === 'diverge' && obs.where
      ? flatIndex(obs.where, shape) : -1;
    box.append(valueGrid(flat, tensor.truncated ? [flat.length] : shape,
      (i, cell) => {
        cell.textContent = formatNumber(flat[i]);
        if (marks.has(i)) cell.classList.add('oot');
        if (i === worst) cell.classList.add('worst');
      }));
    if (tensor.truncated) {
      const total = shape.reduce((a, b) => a * b, 1);
      box.append(el('div', 'more', 'Large tensor: the report keeps its first ' + flat.length
        + ' of ' + total + ' values (flattened).'));
    }
    if (tensor.stats) {
      const s = tensor.stats;
      box.append(el('div', 'stats', 'min ' + formatNumber(s.min) + ' · max '
        + formatNumber(s.max) + ' · mean ' + formatNumber(s.mean) + ' · nan ' + s.nan
        + ' · inf ' + s.inf));
    }
    return box;
  }

  // Draws values laid out by shape: a scalar, a strip (1-D) or a grid (2-D; higher ranks are
  // shown as rows of their last dimension). fill(flatIndex, cell) writes each cell.
  function valueGrid(flat, shape, fill) {
    if (shape.length === 0) {
      const cell = el('td');
      fill(0, cell);
      return el('div', null, el('table', 'grid', el('tr', null, cell)));
    }
    const cols = shape[shape.length - 1];
    const rows = shape.length === 1 ? 1 : shape.slice(0, -1).reduce((a, b) => a * b, 1);
    const rowLimit = shape.length === 1 ? 1 : Math.min(rows, GRID_ROWS);
    const colLimit = Math.min(cols, shape.length === 1 ? STRIP_LENGTH : GRID_COLS);
    const table = el('table', 'grid');
    const header = el('tr', null, el('th'));
    for (let c = 0; c < colLimit; c++) header.append(el('th', null, String(c)));
    if (colLimit < cols) header.append(el('th', null, '…'));
    table.append(header);
    const rowStride = strides(shape.slice(0, -1));
    for (let r = 0; r < rowLimit; r++) {
      const label = shape.length === 1 ? '' : shape.slice(0, -1)
        .map((n, i) => Math.floor(r / rowStride[i]) % n).join(',');
      const row = el('tr', null, el('th', null, label));
      for (let c = 0; c < colLimit; c++) {
        const index = r * cols + c;
        const cell = el('td');
        if (index < flat.length) fill(index, cell);
        row.append(cell);
      }
      if (colLimit < cols) row.append(el('td', 'more', '…'));
      table.append(row);
    }
    const box = el('div', null, table);
    if (rowLimit < rows || colLimit < cols) {
      box.append(el('div', 'more', 'showing ' + rowLimit + ' × ' + colLimit + ' of shape ['
        + shape.join(', ') + ']'));
    }
    return box;
  }

  function heatColour(ratio) {
    // Within tolerance: white to amber; out of it: light to dark red over three decades.
    if (!(ratio > 0)) return ['#ffffff', '#1f2328'];
    if (ratio <= 1) {
      const t = ratio;
      return ['rgb(255,' + Math.round(255 - 20 * t) + ',' + Math.round(255 - 120 * t) + ')',
        '#1f2328'];
    }
    const t = Math.min(1, Math.log10(ratio) / 3);
    const green = Math.round(190 - 170 * t);
    return ['rgb(' + Math.round(250 - 70 * t) + ',' + green + ',' + green + ')',
      t > 0.45 ? '#ffffff' : '#1f2328'];
  }

  function tensorDifference(obs) {
    const left = obs.left;
    const right = obs.right;
    const box = el('div');
    const stats = el('div', 'errstats');
    const fact = (label, value) => el('span', null, label + ' ', el('b', null, value));
    if (obs.max_abs !== undefined) stats.append(fact('max abs error', formatNumber(obs.max_abs)));
    if (obs.max_rel !== undefined) stats.append(fact('max rel error', formatNumber(obs.max_rel)));
    if (obs.where) stats.append(fact('worst at', '[' + obs.where.join(', ') + ']'));
    if (obs.atol !== undefined) stats.append(fact('atol', formatNumber(obs.atol)));
    if (obs.rtol !== undefined) stats.append(fact('rtol', formatNumber(obs.rtol)));
    if (obs.mismatch) {
      stats.append(fact('out of tolerance', String(obs.mismatch.length)
        + (obs.mismatch.length >= 200 ? '+' : '')));
    }
    box.append(stats);
    const shape = left.shape || [];
    if (JSON.stringify(shape) !== JSON.stringify(right.shape || [])) {
      box.append(el('div', 'more', 'Shapes differ: [' + shape.join(', ') + '] against ['
        + (right.shape || []).join(', ') + ']; no element-wise difference.'));
      return box;
    }
    const a = flatten(left.values, []);
    const b = flatten(right.values, []);
    const count = Math.min(a.length, b.length);
    const atol = typeof obs.atol === 'number' ? obs.atol : 0;
    const rtol = typeof obs.rtol === 'number' ? obs.rtol : 0;
    const marks = mismatchSet(obs, shape);
    const gridShape = left.truncated || right.truncated ? [count] : shape;
    box.append(el('div', 'obs-kind', '|left − right| per element, coloured by error ÷ '
      + 'tolerance (atol + rtol·|right|); out-of-tolerance cells outlined:'));
    box.append(valueGrid(a, gridShape, (i, cell) => {
      if (i >= count) return;
      const x = numeric(a[i]);
      const y = numeric(b[i]);
      const same = Object.is(x, y) || (Number.isNaN(x) && Number.isNaN(y));
      const error = same ? 0 : Math.abs(x - y);
      const tolerance = atol + rtol * Math.abs(y);
      const ratio = same ? 0 : (tolerance > 0 ? error / tolerance : Infinity);
      const [background, colour] = heatColour(Number.isNaN(ratio) ? Infinity : ratio);
      cell.style.backgroundColor = background;
      cell.style.color = colour;
      cell.textContent = same ? '' : formatNumber(Number.isNaN(error) ? 'nan' : error);
      const relative = same ? 0 : error / Math.abs(y);
      cell.title = formatNumber(a[i]) + ' vs ' + formatNumber(b[i]) + '; abs error '
        + formatNumber(error) + ', rel error ' + formatNumber(relative);
      if (marks.has(i)) cell.classList.add('oot');
    }));
    box.lastChild.querySelector('table').classList.add('heat');
    return box;
  }

  // ---------------------------------------------------------------------------------------
  // Autograd graphs (layout computed by the renderer: layers from the root down)

  function graphOrNone(layout) {
    if (!layout) return el('span', 'none', '(no graph on this lane)');
    return drawGraph(layout);
  }

  function drawGraph(layout) {
    const height = layout.node_height;
    const picture = svg('svg', {
      class: 'graph', width: layout.width, height: layout.height,
      viewBox: '0 0 ' + layout.width + ' ' + layout.height, role: 'img',
    });
    const nodes = layout.nodes;
    const title = svg('title');
    title.textContent = 'autograd graph: ' + nodes.length + ' nodes, ' + layout.differing
      + ' differing from the other lane';
    picture.append(title);
    for (const edge of layout.edges) {
      const from = nodes[edge.src];
      const to = nodes[edge.dst];
      const x1 = from.x + from.w / 2;
      const y1 = from.y + height;
      const x2 = to.x + to.w / 2;
      const y2 = to.y;
      const bend = (y2 - y1) / 2;
      picture.append(svg('path', {
        class: 'edge', 'marker-end': 'url(#arrow)',
        d: 'M' + x1 + ' ' + y1 + ' C' + x1 + ' ' + (y1 + bend) + ' ' + x2 + ' '
          + (y2 - bend) + ' ' + x2 + ' ' + y2,
      }));
    }
    nodes.forEach((node, index) => {
      const kinds = ['gnode'];
      if (index === 0) kinds.push('root');
      if (node.name === 'AccumulateGrad') kinds.push('leaf');
      if (node.name === 'None') kinds.push('none');
      if (node.differs) kinds.push('differs');
      const group = svg('g', { class: kinds.join(' ') });
      const label = node.variable ? node.name + '(' + node.variable + ')' : node.name;
      const tip = svg('title');
      tip.textContent = label + (node.differs ? ' — differs from the other lane' : '');
      const text = svg('text', { x: node.x + node.w / 2, y: node.y + height / 2 });
      text.textContent = label;
      group.append(tip, svg('rect', { x: node.x, y: node.y, width: node.w, height, rx: 4 }),
        text);
      picture.append(group);
    });
    const box = el('div', null, picture);
    if (layout.differing) {
      box.append(el('div', 'graph-note', layout.differing + ' node(s) differ (red)'));
    }
    return box;
  }

  // ---------------------------------------------------------------------------------------
  // Wiring

  function onFilterChange() {
    state.statuses = new Set(statusBoxes.filter((b) => b.checked).map((b) => b.value));
    state.area = areaSelect.value;
    state.pair = pairSelect.value;
    state.query = search.value.trim();
    render();
  }

  document.getElementById('filters').addEventListener('submit', (e) => e.preventDefault());
  for (const box of statusBoxes) box.addEventListener('change', onFilterChange);
  areaSelect.addEventListener('change', onFilterChange);
  pairSelect.addEventListener('change', onFilterChange);
  search.addEventListener('input', onFilterChange);
  document.getElementById('only-unexpected').addEventListener('click', () => {
    for (const box of statusBoxes) box.checked = FAILURES.includes(box.value);
    onFilterChange();
  });
  document.getElementById('all-statuses').addEventListener('click', () => {
    for (const box of statusBoxes) box.checked = true;
    onFilterChange();
  });
  if (notRunToggle) {
    notRunToggle.addEventListener('click', () => {
      const show = notRunToggle.getAttribute('aria-pressed') !== 'true';
      for (const box of statusBoxes) {
        if (DATA.hidden.includes(box.value)) box.checked = show;
      }
      onFilterChange();
    });
  }
  for (const button of sortHeads) {
    button.addEventListener('click', () => {
      if (state.sort === button.dataset.sort) {
        state.descending = !state.descending;
      } else {
        state.sort = button.dataset.sort;
        state.descending = false;
      }
      render();
    });
  }
  moreButton.addEventListener('click', () => drawMore(BATCH_ROWS));
  if ('IntersectionObserver' in window) {
    new IntersectionObserver((entries) => {
      if (entries.some((entry) => entry.isIntersecting)) drawMore(BATCH_ROWS);
    }, { rootMargin: '600px' }).observe(moreRow);
  }
  body.addEventListener('click', (event) => {
    const row = event.target.closest('tr.rec');
    if (row && row.record) toggleRecord(row.record);
  });
  window.addEventListener('hashchange', () => {
    readHash();
    render();
    document.getElementById('results').scrollIntoView();
  });

  readHash();
  render();
  performance.mark('report-ready');  // for measuring how long a big report takes to open
  document.body.dataset.ready = '1';
})();
