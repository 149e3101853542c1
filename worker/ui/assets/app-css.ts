/** The Control UI's one stylesheet (served as /ui/app.css; the CSP allows no inline style). Phone first. */
export const APP_CSS = `
:root { color-scheme: light dark; --fg: #1b1f24; --bg: #f6f7f9; --card: #fff; --line: #d8dde3; --muted: #5f6b77;
  --ok: #1a7f37; --bad: #cf222e; --accent: #0b5cad; font-family: system-ui, -apple-system, "Segoe UI", sans-serif; }
@media (prefers-color-scheme: dark) { :root { --fg: #e6edf3; --bg: #0d1117; --card: #161b22; --line: #30363d; --muted: #8b949e;
  --ok: #3fb950; --bad: #f85149; --accent: #58a6ff; } }
* { box-sizing: border-box; }
body { margin: 0; background: var(--bg); color: var(--fg); font-size: 16px; line-height: 1.4; }
.top { display: flex; flex-wrap: wrap; align-items: center; gap: .5rem 1rem; padding: .6rem 1rem; background: var(--card);
  border-bottom: 1px solid var(--line); }
.top h1 { font-size: 1.15rem; margin: 0; }
nav { display: flex; flex-wrap: wrap; gap: .25rem; flex: 1 1 auto; }
nav a { padding: .35rem .6rem; border-radius: 6px; color: var(--accent); text-decoration: none; white-space: nowrap; }
nav a.current { background: var(--accent); color: #fff; }
.badge:not(:empty) { display: inline-block; min-width: 1.3em; padding: 0 .35em; border-radius: 1em; background: var(--bad);
  color: #fff; font-size: .8em; text-align: center; }
.sign-out { margin-left: auto; }
main { padding: 1rem; max-width: 64rem; margin: 0 auto; }
h2 { font-size: 1.1rem; margin: 1rem 0 .5rem; }
.muted, .hint { color: var(--muted); }
.cards { display: grid; grid-template-columns: repeat(auto-fill, minmax(15rem, 1fr)); gap: .75rem; }
.card, .item { background: var(--card); border: 1px solid var(--line); border-radius: 8px; padding: .75rem; }
.item { margin-bottom: .6rem; display: flex; flex-wrap: wrap; gap: .5rem; align-items: center; justify-content: space-between; }
.item .what { flex: 1 1 16rem; min-width: 0; overflow-wrap: anywhere; }
.item .actions { display: flex; flex-wrap: wrap; gap: .4rem; }
.pill { display: inline-block; padding: .05rem .5rem; border-radius: 1em; font-size: .85em; border: 1px solid var(--line); }
.pill.on { color: var(--ok); border-color: var(--ok); } .pill.off { color: var(--bad); border-color: var(--bad); }
code, .mono { font-family: ui-monospace, SFMono-Regular, Menlo, monospace; font-size: .9em; overflow-wrap: anywhere; }
button { font: inherit; padding: .45rem .8rem; border-radius: 6px; border: 1px solid var(--line); background: var(--card);
  color: var(--fg); cursor: pointer; min-height: 2.5rem; }
button.primary { background: var(--accent); border-color: var(--accent); color: #fff; }
button.danger { color: var(--bad); border-color: var(--bad); }
select, input { font: inherit; padding: .4rem; border-radius: 6px; border: 1px solid var(--line); background: var(--card); color: var(--fg); }
.filters { display: flex; flex-wrap: wrap; gap: .5rem; margin-bottom: .75rem; }
.pager { display: flex; gap: .5rem; align-items: center; margin-top: .5rem; }
table { width: 100%; border-collapse: collapse; background: var(--card); }
th, td { text-align: left; padding: .4rem; border-bottom: 1px solid var(--line); vertical-align: top; overflow-wrap: anywhere; }
.status { position: fixed; bottom: 0; left: 0; right: 0; margin: 0; padding: .4rem 1rem; background: var(--card);
  border-top: 1px solid var(--line); font-size: .9em; }
.status:empty { display: none; }
.sign-in { display: grid; place-items: center; min-height: 100vh; }
.sign-in .card { width: min(24rem, 92vw); display: grid; gap: .6rem; }
.sign-in form { display: grid; gap: .5rem; }
.notice { color: var(--bad); margin: 0; }
@media (max-width: 40rem) {
  table, thead, tbody, tr, th, td { display: block; } thead { display: none; }
  tr { border: 1px solid var(--line); border-radius: 8px; margin-bottom: .5rem; padding: .3rem; }
  td { border: 0; padding: .15rem .3rem; }
}
`;
