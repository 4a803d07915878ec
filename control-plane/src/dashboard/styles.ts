/**
 * The dashboard's one stylesheet. Colours meet WCAG 2.2 AA (4.5:1 for text):
 * #1d1d1f on #fff, links #0b57d0 (6.3:1), muted #555 (7.5:1), badge text on
 * its tint above 4.5:1. Focus is always visible. Tables scroll sideways
 * inside their card on phones instead of squeezing.
 */
export const DASHBOARD_CSS = `
*,*::before,*::after{box-sizing:border-box}
body{margin:0;font:16px/1.5 system-ui,-apple-system,"Segoe UI",Roboto,sans-serif;color:#1d1d1f;background:#f4f5f7}
a{color:#0b57d0}
:focus-visible{outline:3px solid #0b57d0;outline-offset:2px}
.skip{position:absolute;left:-999px}.skip:focus{left:8px;top:8px;background:#fff;padding:8px;z-index:9}
.sr-only{position:absolute;width:1px;height:1px;overflow:hidden;clip:rect(0 0 0 0);white-space:nowrap}
.top{display:flex;flex-wrap:wrap;align-items:center;gap:8px 24px;padding:12px 20px;background:#111827;color:#fff}
.top a{color:#fff;text-decoration:none}.top .brand{font-weight:700;font-size:1.2rem}
.top nav ul{display:flex;flex-wrap:wrap;gap:4px 16px;list-style:none;margin:0;padding:0}
.top nav a{padding:4px 2px;border-bottom:2px solid transparent}.top nav a[aria-current=page]{border-color:#fff}
.top .account{margin-left:auto;display:flex;gap:12px;align-items:center}.top .email{color:#d1d5db}
button.link{background:none;border:0;color:#fff;text-decoration:underline;padding:4px;font:inherit;cursor:pointer}
main{max-width:1200px;margin:0 auto;padding:16px 20px 48px}
h1{font-size:1.6rem;margin:8px 0 16px}h2{font-size:1.15rem;margin:0 0 12px}
.page-head{margin-bottom:8px}.page-head p{margin:4px 0}
.card{background:#fff;border:1px solid #d8dbe0;border-radius:8px;padding:16px;margin:0 0 16px}
.grid{display:grid;grid-template-columns:repeat(auto-fit,minmax(min(100%,440px),1fr));gap:0 16px}
.auth{max-width:420px;margin:40px auto}
form label{display:block;font-weight:600;margin:8px 0 4px}
input,select{font:inherit;padding:8px 10px;border:1px solid #8a8f98;border-radius:6px;width:100%;background:#fff;color:inherit}
form.inline{display:flex;flex-wrap:wrap;gap:8px 12px;align-items:flex-end}
form.inline>div{flex:1 1 180px}form.inline>div.grow{flex:3 1 280px}
button{font:inherit;padding:8px 14px;border-radius:6px;border:1px solid #8a8f98;background:#fff;color:#1d1d1f;cursor:pointer;min-height:40px}
button:hover{background:#eef1f5}
button.primary{background:#0b57d0;border-color:#0b57d0;color:#fff}button.primary:hover{background:#0842a0}
button.danger{border-color:#b3261e;color:#b3261e}button.danger:hover{background:#fdecea}
dialog button.danger{background:#b3261e;color:#fff}
button.small{padding:4px 10px;min-height:32px;font-size:.9rem}
.auth button.primary{width:100%;margin-top:16px}
.help,.muted{color:#555;font-size:.9rem}
.actions{display:flex;flex-wrap:wrap;gap:8px;margin-top:12px}
.table-wrap{overflow-x:auto}
table{border-collapse:collapse;width:100%;min-width:560px}
th,td{text-align:left;padding:8px;border-bottom:1px solid #e5e7eb;vertical-align:top}
thead th{font-size:.85rem;color:#444;text-transform:uppercase;letter-spacing:.03em}
.empty{padding:24px;text-align:center;color:#555;background:#f8f9fb;border:1px dashed #c4c8cf;border-radius:8px}
.badge{display:inline-block;padding:2px 10px;border-radius:999px;font-size:.85rem;font-weight:600;background:#e5e7eb;color:#1f2937}
.badge[data-status=active]{background:#d1fae5;color:#065f46}
.badge[data-status=connected]{background:#fef3c7;color:#7c4a03}
.badge[data-status=disconnected]{background:#fee2e2;color:#991b1b}
.field{margin:0 0 12px}.field .label{font-weight:600;font-size:.9rem;display:block;margin-bottom:2px}
.value{display:flex;gap:6px;align-items:flex-start}
.value code{flex:1;min-width:0;overflow-wrap:anywhere;background:#f3f4f6;border:1px solid #e5e7eb;border-radius:6px;padding:6px 8px;font-size:.85rem}
pre{white-space:pre-wrap;overflow-wrap:anywhere;background:#f3f4f6;border:1px solid #e5e7eb;border-radius:6px;padding:8px;font-size:.85rem;margin:0;flex:1}
video{width:100%;aspect-ratio:16/9;background:#000;border-radius:6px;margin-top:8px}
.segmented{display:flex;gap:4px}.segmented button[aria-pressed=true]{background:#111827;color:#fff;border-color:#111827}
#flash:not(:empty){background:#e8f0fe;border:1px solid #0b57d0;padding:8px 12px;border-radius:6px;margin-bottom:12px}
#error:not(:empty){background:#fdecea;border:1px solid #b3261e;color:#8c1d18;padding:8px 12px;border-radius:6px;margin-bottom:12px}
.once{margin-top:12px;padding:12px;border:1px solid #b7791f;background:#fffbeb;border-radius:6px}
dialog{border:1px solid #8a8f98;border-radius:8px;max-width:min(92vw,480px);padding:20px}
dialog::backdrop{background:rgba(0,0,0,.45)}
.badge[data-health=healthy]{background:#d1fae5;color:#065f46}
.badge[data-health=stale]{background:#fef3c7;color:#7c4a03}
.badge[data-health=down]{background:#fee2e2;color:#991b1b}
.fleet{font-weight:600;margin:0 0 12px}
table.nodes{min-width:860px}table.nodes tr.figures>*{white-space:nowrap;border-bottom:0}table.nodes tr.live td{padding-top:0;white-space:normal}
.node-id{font-family:ui-monospace,SFMono-Regular,Menlo,monospace}.block{display:block}
.load{white-space:nowrap}meter{width:64px;vertical-align:middle}
ul.live-list{list-style:none;margin:0;padding:0}ul.live-list li{margin:0 0 4px}
.endpoint{border-bottom:1px solid #e5e7eb;padding:12px 0}.endpoint:last-child{border-bottom:0}
@media (max-width:600px){main{padding:12px}.top{padding:10px 12px}.top .account{margin-left:0}h1{font-size:1.35rem}}
`;
