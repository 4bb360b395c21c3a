/**
 * The API explorer at /api/docs: a static page and one script of its own, served by the server, so
 * that it runs under the dashboard's CSP (script-src 'self': no CDN, no inline script). The script
 * reads /api/openapi.json and lists every route with its roles, security, parameters and body schema;
 * GET routes without path parameters can be tried with the browser's session.
 */
export const EXPLORER_HTML = `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<title>Zhuyun API explorer</title>
<meta name="viewport" content="width=device-width, initial-scale=1">
<style>
  body { font: 14px/1.45 system-ui, sans-serif; margin: 1.5rem auto; max-width: 72rem; padding: 0 1rem; color: #1f2933; }
  h1 { font-size: 1.4rem; } code, pre { font-family: ui-monospace, monospace; font-size: 12.5px; }
  .op { border: 1px solid #d9e2ec; border-radius: 6px; margin: .4rem 0; }
  .op > summary { cursor: pointer; padding: .35rem .6rem; list-style: none; display: flex; gap: .6rem; align-items: baseline; }
  .m { display: inline-block; min-width: 4.2rem; font-weight: 700; }
  .GET { color: #0b6e4f; } .POST { color: #1f5fbf; } .PUT, .PATCH { color: #a35200; } .DELETE { color: #b3261e; }
  .roles { margin-left: auto; color: #52606d; font-size: 12px; }
  .body { padding: .3rem .8rem .8rem; border-top: 1px solid #eef2f6; }
  pre { background: #f5f7fa; padding: .5rem; overflow: auto; max-height: 24rem; }
  #filter { width: 100%; padding: .4rem; margin: .6rem 0; }
</style>
</head>
<body>
<h1>Zhuyun (筑云) REST API</h1>
<p>Generated from the running server: <a href="/api/openapi.json">/api/openapi.json</a> (OpenAPI 3.1).
Roles: admin may call every route; <code>public</code> routes need no session.</p>
<input id="filter" type="search" placeholder="Filter by path, method or role">
<div id="ops">Loading /api/openapi.json…</div>
<script src="/api/docs/explorer.js"></script>
</body>
</html>
`;

export const EXPLORER_JS = `'use strict';
(function () {
  var list = document.getElementById('ops');
  var filter = document.getElementById('filter');
  function el(tag, attrs, children) {
    var e = document.createElement(tag);
    Object.keys(attrs || {}).forEach(function (k) { if (k === 'text') e.textContent = attrs[k]; else e.setAttribute(k, attrs[k]); });
    (children || []).forEach(function (c) { e.appendChild(c); });
    return e;
  }
  function pre(obj) { return el('pre', { text: JSON.stringify(obj, null, 2) }); }
  function render(doc) {
    list.textContent = '';
    Object.keys(doc.paths).forEach(function (path) {
      Object.keys(doc.paths[path]).forEach(function (method) {
        var op = doc.paths[path][method];
        var M = method.toUpperCase();
        var roles = op['x-public'] ? 'public' : (op['x-roles'].length ? op['x-roles'].join(', ') : 'admin');
        var body = el('div', { class: 'body' }, [
          el('div', { text: 'operation: ' + op.operationId }),
          el('div', { text: 'security: ' + (op.security.length ? op.security.map(function (s) { return Object.keys(s)[0]; }).join(' or ') : 'none') }),
        ]);
        if (op.parameters && op.parameters.length) { body.appendChild(el('div', { text: 'parameters:' })); body.appendChild(pre(op.parameters)); }
        if (op.requestBody) { body.appendChild(el('div', { text: 'request body (JSON schema):' })); body.appendChild(pre(op.requestBody.content['application/json'].schema)); }
        if (M === 'GET' && path.indexOf('{') < 0) {
          var out = el('pre', { text: '' });
          var btn = el('button', { type: 'button', text: 'Try GET ' + path });
          btn.addEventListener('click', function () {
            out.textContent = '…';
            fetch(path, { credentials: 'same-origin' }).then(function (r) {
              return r.text().then(function (t) {
                var shown = t;
                try { shown = JSON.stringify(JSON.parse(t), null, 2); } catch (e) { /* not JSON */ }
                out.textContent = r.status + ' ' + r.statusText + '\\n\\n' + shown.slice(0, 20000);
              });
            }, function (err) { out.textContent = String(err); });
          });
          body.appendChild(btn);
          body.appendChild(out);
        }
        var details = el('details', { class: 'op', 'data-key': (M + ' ' + path + ' ' + roles).toLowerCase() }, [
          el('summary', {}, [el('span', { class: 'm ' + M, text: M }), el('code', { text: path }), el('span', { class: 'roles', text: roles })]),
          body,
        ]);
        list.appendChild(details);
      });
    });
  }
  filter.addEventListener('input', function () {
    var q = filter.value.trim().toLowerCase();
    Array.prototype.forEach.call(list.children, function (d) { d.style.display = !q || d.getAttribute('data-key').indexOf(q) >= 0 ? '' : 'none'; });
  });
  fetch('/api/openapi.json').then(function (r) { return r.json(); }).then(render, function (err) { list.textContent = 'Could not load /api/openapi.json: ' + err; });
})();
`;
