/**
 * `/assets/style.css`: the dashboard's look. Plain CSS, system fonts, no external resources.
 *
 * @module
 */

/** The stylesheet. */
export const STYLE_CSS = String.raw`:root {
  --bg: #f5f6f8; --panel: #fff; --text: #1d2330; --muted: #6b7385; --line: #e3e6ec;
  --accent: #2f5bea; --accent-soft: #e8eefe; --danger: #c93434; --danger-soft: #fdeaea;
  --scheduled: #7a5af8; --pending: #2f80ed; --processing: #e7a008; --failed: #ef6c2b;
  --completed: #1f9d55; --dead: #c93434; --canceled: #8a93a6;
  --mono: ui-monospace, SFMono-Regular, Menlo, Consolas, monospace;
}
* { box-sizing: border-box; }
body { margin: 0; background: var(--bg); color: var(--text); font: 14px/1.45 system-ui, -apple-system, "Segoe UI", Roboto, sans-serif; }
a { color: var(--accent); text-decoration: none; }
a:hover { text-decoration: underline; }
h1 { font-size: 20px; margin: 0 0 12px; }
h2 { font-size: 15px; margin: 0 0 10px; color: var(--muted); font-weight: 600; text-transform: uppercase; letter-spacing: .04em; }
.hidden { display: none !important; }
.muted { color: var(--muted); }
.mono, code, pre { font-family: var(--mono); font-size: 13px; }
.warn { color: var(--failed); font-weight: 600; }

.top { position: sticky; top: 0; z-index: 5; display: flex; align-items: center; gap: 24px; padding: 0 24px; height: 52px; background: #151a26; color: #fff; }
.brand { display: flex; align-items: center; gap: 8px; color: #fff; font-weight: 700; font-size: 16px; }
.brand:hover { text-decoration: none; }
nav { display: flex; gap: 4px; flex: 1; }
nav a { color: #c5cad6; padding: 6px 12px; border-radius: 6px; }
nav a:hover { background: #232a3b; text-decoration: none; }
nav a.active { background: #2a3350; color: #fff; }
.count { display: inline-block; min-width: 18px; padding: 0 6px; margin-left: 4px; border-radius: 9px; background: var(--dead); color: #fff; font-size: 12px; text-align: center; }
.live { font-size: 12px; color: #8fe3b0; }
.live::before { content: ""; display: inline-block; width: 8px; height: 8px; margin-right: 6px; border-radius: 50%; background: currentColor; }
.live.offline { color: #ff8a8a; }
.logout { margin: 0; }
.btn.ghost { background: transparent; color: #c5cad6; border-color: #3a4357; }
.btn.ghost:hover:not(:disabled) { color: #fff; border-color: #c5cad6; }

main { max-width: 1240px; margin: 0 auto; padding: 20px 24px 48px; }
.stack { display: grid; gap: 16px; }
.panel { background: var(--panel); border: 1px solid var(--line); border-radius: 10px; padding: 16px 18px; }
.panel.narrow { max-width: 720px; }
.panel-head { display: flex; align-items: center; gap: 12px; flex-wrap: wrap; margin-bottom: 12px; }
.panel-head h1, .panel-head h2 { margin: 0; }
.actions { margin-left: auto; display: flex; gap: 8px; }

.cards { display: grid; grid-template-columns: repeat(7, 1fr); gap: 10px; }
.card { display: flex; flex-direction: column; padding: 12px 14px; border-radius: 8px; border: 1px solid var(--line); border-top: 3px solid var(--c, var(--line)); color: var(--text); }
.card:hover { text-decoration: none; background: #fafbfc; }
.card-n { font-size: 26px; font-weight: 700; font-variant-numeric: tabular-nums; }
.card-label { color: var(--muted); font-size: 12px; text-transform: uppercase; letter-spacing: .04em; }
.s-scheduled { --c: var(--scheduled); } .s-pending { --c: var(--pending); } .s-processing { --c: var(--processing); }
.s-failed { --c: var(--failed); } .s-completed { --c: var(--completed); } .s-dead { --c: var(--dead); } .s-canceled { --c: var(--canceled); }

.rates { display: grid; grid-template-columns: repeat(6, 1fr); gap: 10px; margin-bottom: 12px; }
.stat { display: flex; flex-direction: column; }
.stat-n { font-size: 18px; font-weight: 600; font-variant-numeric: tabular-nums; }
.stat-label { color: var(--muted); font-size: 12px; }
.legend { margin-left: auto; color: var(--muted); font-size: 12px; }
.key { display: inline-block; width: 10px; height: 10px; border-radius: 2px; margin: 0 4px 0 10px; vertical-align: -1px; }
.k-completed, .b-completed { background: var(--completed); fill: var(--completed); }
.k-failed, .b-retried { background: var(--failed); fill: var(--failed); }
.k-dead, .b-dead { background: var(--dead); fill: var(--dead); }
.bars { width: 100%; height: auto; display: block; }
.bars .hit { fill: transparent; }
.bars g:hover .hit { fill: rgba(47, 91, 234, .08); }
.bars .axis { stroke: var(--line); }
.bars .tick { font-size: 10px; fill: var(--muted); }
.bars .tick.end { text-anchor: end; }

.badge { display: inline-block; padding: 1px 8px; border-radius: 10px; font-size: 12px; font-weight: 600; color: var(--c, var(--muted)); background: color-mix(in srgb, var(--c, var(--muted)) 13%, white); }
.w-idle { --c: var(--completed); } .w-busy { --c: var(--processing); } .w-stopping { --c: var(--canceled); }
.o-succeeded { --c: var(--completed); } .o-failed, .o-timed_out, .o-worker_lost { --c: var(--failed); }
.o-interrupted, .o-canceled { --c: var(--canceled); } .o-running { --c: var(--processing); }

.table-wrap { overflow-x: auto; }
table.grid { width: 100%; border-collapse: collapse; table-layout: auto; }
.grid th { text-align: left; font-size: 12px; color: var(--muted); font-weight: 600; padding: 6px 10px; border-bottom: 1px solid var(--line); white-space: nowrap; }
.grid td { padding: 7px 10px; border-bottom: 1px solid var(--line); vertical-align: middle; white-space: nowrap; }
.grid tbody tr:hover { background: #fafbfc; }
.grid th.num { text-align: right; }
.grid th.num, .grid td.num { width: 1%; }
.grid .num { text-align: right; font-variant-numeric: tabular-nums; }
.grid .cmd { max-width: 380px; overflow: hidden; text-overflow: ellipsis; }
.grid .err { max-width: 260px; overflow: hidden; text-overflow: ellipsis; color: var(--danger); }
.grid .id { max-width: 260px; overflow: hidden; text-overflow: ellipsis; }
.row-actions { text-align: right; }
.empty { color: var(--muted); padding: 24px 0; text-align: center; }
.note { margin: 8px 0; }

.toolbar { display: flex; gap: 8px; align-items: center; flex-wrap: wrap; margin-bottom: 8px; }
.panel-head .toolbar { margin: 0 0 0 auto; }
input, select, textarea { font: inherit; padding: 6px 10px; border: 1px solid #cfd4de; border-radius: 6px; background: #fff; color: var(--text); }
input[type=search] { min-width: 280px; }
textarea { font-family: var(--mono); font-size: 13px; width: 100%; resize: vertical; }
input:focus, select:focus, textarea:focus { outline: 2px solid var(--accent-soft); border-color: var(--accent); }
.btn { font: inherit; padding: 6px 14px; border-radius: 6px; border: 1px solid #cfd4de; background: #fff; color: var(--text); cursor: pointer; }
.btn:hover:not(:disabled) { border-color: var(--accent); color: var(--accent); }
.btn:disabled { opacity: .5; cursor: default; }
.btn.primary { background: var(--accent); border-color: var(--accent); color: #fff; }
.btn.primary:hover:not(:disabled) { background: #2448c4; color: #fff; }
.btn.danger { color: var(--danger); border-color: #e9b9b9; }
.btn.danger.armed { background: var(--danger); color: #fff; border-color: var(--danger); }
.btn.small { padding: 2px 10px; font-size: 13px; }
.pager { display: flex; justify-content: flex-end; gap: 8px; margin-top: 10px; }

.spec { display: grid; grid-template-columns: 110px 1fr 110px 1fr; gap: 6px 16px; margin: 0; }
.spec dd.wide { grid-column: span 3; }
h1.mono { font-size: 18px; }
.spec dt { color: var(--muted); }
.spec dd { margin: 0; overflow-wrap: anywhere; }
.spec .err { color: var(--danger); }
.cmd-full { display: block; white-space: pre-wrap; background: #f3f4f7; padding: 6px 10px; border-radius: 6px; }
.output { margin: 0; min-height: 80px; max-height: 480px; overflow: auto; padding: 12px 14px; border-radius: 8px; background: #10141f; color: #d8dee9; white-space: pre-wrap; overflow-wrap: anywhere; }

.form { display: grid; gap: 14px; }
.form .row { display: grid; grid-template-columns: repeat(auto-fit, minmax(160px, 1fr)); gap: 14px; }
.field { display: flex; flex-direction: column; gap: 4px; }
.label { font-weight: 600; font-size: 13px; }
.hint { color: var(--muted); font-size: 12px; }
.form-foot { display: flex; gap: 14px; align-items: center; }
.form-error { color: var(--danger); margin: 0; }

.toasts { position: fixed; right: 20px; bottom: 20px; display: grid; gap: 8px; z-index: 10; }
.toast { padding: 10px 14px; border-radius: 8px; background: #151a26; color: #fff; box-shadow: 0 4px 16px rgba(0, 0, 0, .15); max-width: 420px; }
.toast.error { background: var(--danger); }

body.login { display: grid; place-items: center; min-height: 100vh; }
body.login h1 { display: flex; align-items: center; gap: 8px; }
body.login .panel { width: 360px; }

@media (max-width: 900px) {
  .cards { grid-template-columns: repeat(4, 1fr); }
  .rates { grid-template-columns: repeat(3, 1fr); }
  nav a { padding: 6px 8px; }
}
`;
