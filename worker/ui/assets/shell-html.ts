/** The Control UI's one page: a static shell the script fills in; nothing in it comes from a request. */
export const SHELL_HTML = `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>Drawbridge</title>
<link rel="stylesheet" href="/ui/app.css">
<link rel="icon" href="/ui/favicon.svg" type="image/svg+xml">
<script src="/ui/app.js" defer></script>
</head>
<body>
<header class="top">
<h1>Drawbridge</h1>
<nav aria-label="Pages">
<a href="#overview" data-page="overview">Overview</a>
<a href="#pairing" data-page="pairing">Pairing <span class="badge" id="badge-pairing"></span></a>
<a href="#senders" data-page="senders">Senders</a>
<a href="#approvals" data-page="approvals">Approvals <span class="badge" id="badge-approvals"></span></a>
<a href="#audit" data-page="audit">Audit log</a>
</nav>
<form method="post" action="/ui/sign-out" class="sign-out"><button type="submit">Sign out</button></form>
</header>
<main id="view" aria-live="polite"><p class="muted">Loading…</p></main>
<p id="status" class="status" role="status"></p>
</body>
</html>
`;
