/**
 * The sign-in page's script (/ui/sign-in.js). The form is posted with fetch, not as a navigation:
 * the UI sends `Referrer-Policy: no-referrer`, and under it a browser's form navigation carries
 * `Origin: null`, which the same-origin check (rightly) refuses. A fetch from our own page carries
 * our real Origin. The body is still the form, form-encoded; the token goes nowhere else.
 */
export const SIGN_IN_JS = String.raw`"use strict";
(function () {
  var form = document.getElementById("sign-in");
  var notice = document.getElementById("notice");
  var TOLD = { 401: "That is not the gateway token.", 403: "Refused: open the sign-in page from this gateway itself.",
    429: "Too many wrong tokens: sign-in is paused for a few minutes." };
  form.addEventListener("submit", function (event) {
    event.preventDefault();
    var body = new URLSearchParams(new FormData(form));
    form.reset();
    fetch("/ui/sign-in", { method: "POST", body: body, credentials: "same-origin", redirect: "manual" }).then(function (response) {
      // The session cookie comes with the 303; a redirect is opaque to fetch, so it reads as "opaqueredirect".
      if (response.type === "opaqueredirect" || response.ok) return location.assign("/ui");
      notice.textContent = TOLD[response.status] || "Sign-in failed (HTTP " + response.status + ").";
    }).catch(function () {
      notice.textContent = "The gateway did not answer.";
    });
  });
})();
`;

/** Signs out with fetch for the same reason (app.js hooks the shell's Sign out form to this). */
export const SIGN_OUT_JS = String.raw`
document.querySelector("form.sign-out").addEventListener("submit", function (event) {
  event.preventDefault();
  fetch("/ui/sign-out", { method: "POST", credentials: "same-origin", redirect: "manual" }).then(function () {
    location.assign("/ui/sign-in?signed-out");
  });
});
`;

/** A drawbridge, so the browser's favicon request finds something (and no 404 shows in the console). */
export const FAVICON_SVG = `<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 32 32"><rect width="32" height="32" rx="6" fill="#0b5cad"/><path d="M6 26V10l4-3 4 3v4h4v-4l4-3 4 3v16h-7v-6a3 3 0 0 0-6 0v6z" fill="#fff"/></svg>`;
