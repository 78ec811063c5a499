// The status page's template (eta: `<%= %>` escapes, `<%~ %>` prints as is, and only the page's own stylesheet is
// printed as is). It lives in a module rather than an .eta file so that it ships in dist/ with the compiled code.

export const STATUS_PAGE_CSS = `
:root { color-scheme: light dark; --line: #8884; --muted: #6b7280; }
* { box-sizing: border-box; }
body { margin: 0 auto; max-width: 64rem; padding: 1rem; font: 15px/1.45 system-ui, sans-serif; overflow-wrap: anywhere; }
h1 { font-size: 1.4rem; margin: 0 0 .25rem; }
h2 { font-size: 1.1rem; margin: 0; }
.meta, .id { color: var(--muted); margin: .25rem 0; font-size: .9rem; }
main { display: grid; gap: 1rem; grid-template-columns: repeat(auto-fill, minmax(min(100%, 28rem), 1fr)); margin-top: 1rem; }
.org { border: 1px solid var(--line); border-radius: .5rem; padding: .75rem 1rem; min-width: 0; }
.status-disabled { color: #b91c1c; font-weight: 600; }
.warning { border-left: 4px solid #b91c1c; padding: .25rem .5rem; margin: .5rem 0; font-weight: 600; }
dl { display: grid; gap: .25rem .75rem; grid-template-columns: repeat(auto-fill, minmax(min(100%, 9.5rem), 1fr)); margin: .75rem 0; }
dl div { min-width: 0; }
dt { color: var(--muted); font-size: .8rem; }
dd { margin: 0; font-variant-numeric: tabular-nums; }
figure { margin: .5rem 0 0; }
figcaption { font-size: .8rem; color: var(--muted); }
svg { display: block; width: 100%; height: 3rem; border-bottom: 1px solid var(--line); }
.axis { display: flex; justify-content: space-between; margin: 0; font-size: .75rem; color: var(--muted); }
`

export const STATUS_PAGE_TEMPLATE = `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta name="robots" content="noindex">
<title>flowcart status</title>
<style><%~ it.css %></style>
</head>
<body>
<header>
<h1>flowcart status</h1>
<p class="meta">Figures at <time datetime="<%= it.generatedAt %>"><%= it.generatedAtText %></time>. The token state is the
state on the dyno that answered this page; the charts cover the last 24 hours, hour by hour (UTC).</p>
</header>
<main>
<% for (const org of it.orgs) { %>
<article class="org" data-org-key="<%= org.orgKey %>">
<h2 data-figure="name"><%= org.name %></h2>
<p class="id"><span data-figure="orgId"><%= org.idText %></span> · <span class="status-<%= org.status %>" data-figure="status"><%= org.status %></span></p>
<% if (org.getsNoEvents) { %>
<p class="warning" data-figure="noEvents">Gets no events: no sign-in / no AppLink authorization.</p>
<% } %>
<dl>
<% for (const figure of org.figures) { %>
<div><dt><%= figure.label %></dt><dd data-figure="<%= figure.key %>"><%= figure.text %></dd></div>
<% } %>
</dl>
<% for (const chart of org.charts) { %>
<figure>
<figcaption><%= chart.caption %></figcaption>
<svg data-chart="<%= chart.key %>" viewBox="0 0 <%= it.width %> <%= it.height %>" preserveAspectRatio="none" role="img" aria-label="<%= chart.caption %>">
<% for (const bar of chart.bars) { %>
<rect x="<%= bar.x %>" y="<%= bar.y %>" width="<%= bar.width %>" height="<%= bar.height %>" fill="<%= chart.colour %>" data-value="<%= bar.value ?? '' %>"><title><%= bar.title %></title></rect>
<% } %>
</svg>
<p class="axis"><span><%= chart.from %></span><span>now</span></p>
</figure>
<% } %>
</article>
<% } %>
</main>
</body>
</html>
`
