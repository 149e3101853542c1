/**
 * The sign-in page: one password field posted once to /ui/sign-in. The token goes in the form
 * body only — never a URL, never web storage — and the page never shows it back. `notice` is one
 * of our own fixed sentences, never text from the request.
 */
export type SignInNotice = "wrong" | "throttled" | "signed-out" | null;

const NOTICES: Record<Exclude<SignInNotice, null>, string> = {
  wrong: "That is not the gateway token.",
  throttled: "Too many wrong tokens: sign-in is paused for a few minutes.",
  "signed-out": "Signed out.",
};

export function signInPage(notice: SignInNotice): string {
  const line = `<p class="notice" id="notice" role="alert">${notice ? NOTICES[notice] : ""}</p>`;
  return `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>Drawbridge — sign in</title>
<link rel="stylesheet" href="/ui/app.css">
<link rel="icon" href="/ui/favicon.svg" type="image/svg+xml">
<script src="/ui/sign-in.js" defer></script>
</head>
<body class="sign-in">
<main class="card">
<h1>Drawbridge</h1>
${line}
<form id="sign-in" method="post" action="/ui/sign-in" autocomplete="off">
<label for="token">Gateway token</label>
<input id="token" name="token" type="password" required maxlength="1024" autocomplete="off" spellcheck="false">
<button type="submit">Sign in</button>
</form>
<p class="hint">The token is <code>GATEWAY_TOKEN</code> (<code>npm start</code> keeps it in the env file under .drawbridge/). You stay signed in for 12 hours on this browser.</p>
</main>
</body>
</html>
`;
}
