/**
 * The Control UI's script, first half: DOM building, the data calls and the page loop. Plain
 * browser JavaScript kept as a string (the Worker serves it as /ui/app.js; the CSP allows no
 * inline script). Everything a sender controls is put in the page with textContent or
 * setAttribute, never parsed as HTML. The second half (app-pages-js.ts) defines the pages.
 */
export const APP_CORE_JS = String.raw`"use strict";
var Drawbridge = (function () {
  var view = document.getElementById("view");
  var statusLine = document.getElementById("status");
  var pages = {};
  var current = null;
  var shownKey = "";
  var listNode = null;

  function el(tag, props, children) {
    var node = document.createElement(tag);
    Object.keys(props || {}).forEach(function (key) {
      var value = props[key];
      if (value === undefined || value === null || value === false) return;
      if (key === "text") node.textContent = String(value);
      else if (key.slice(0, 2) === "on") node.addEventListener(key.slice(2), value);
      else node.setAttribute(key, value === true ? "" : String(value));
    });
    (children || []).forEach(function (child) {
      if (child === null || child === undefined || child === false) return;
      node.appendChild(typeof child === "string" ? document.createTextNode(child) : child);
    });
    return node;
  }

  function api(method, path, body) {
    var init = { method: method, headers: { accept: "application/json" }, credentials: "same-origin" };
    if (body !== undefined) {
      init.headers["content-type"] = "application/json";
      init.body = JSON.stringify(body);
    }
    return fetch("/ui/api" + path, init).then(function (response) {
      if (response.status === 401) {
        location.assign("/ui/sign-in");
        throw new Error("signed out");
      }
      return response.json().then(function (data) {
        if (!response.ok) throw new Error((data && data.error && data.error.message) || "HTTP " + response.status);
        return data;
      });
    });
  }

  function say(text) {
    statusLine.textContent = text;
  }

  function ago(ms) {
    var seconds = Math.max(0, Math.round((Date.now() - ms) / 1000));
    if (seconds < 90) return seconds + " s ago";
    if (seconds < 5400) return Math.round(seconds / 60) + " min ago";
    if (seconds < 129600) return Math.round(seconds / 3600) + " h ago";
    return Math.round(seconds / 86400) + " days ago";
  }

  function when(iso) {
    var date = new Date(iso);
    return isNaN(date.getTime()) ? String(iso) : date.toLocaleString();
  }

  /** Runs an action, says how it went, and shows the page again at once. */
  function act(promise) {
    return promise
      .then(function (answer) {
        say((answer && answer.message) || "Done.");
      })
      .catch(function (error) {
        say("Refused: " + error.message);
      })
      .then(function () {
        shownKey = "";
        return refresh();
      });
  }

  function refresh() {
    var page = current;
    if (!page) return Promise.resolve();
    return page
      .load()
      .then(function (data) {
        if (page !== current) return;
        var key = JSON.stringify(data);
        if (key === shownKey) return;
        shownKey = key;
        listNode.replaceChildren(page.render(data));
      })
      .catch(function (error) {
        if (error.message !== "signed out") say("Could not load: " + error.message);
      });
  }

  function badges() {
    return Promise.all([api("GET", "/pairing/telegram").catch(function () { return { pending: [] }; }),
      api("GET", "/approvals").catch(function () { return { approvals: [] }; })]).then(function (both) {
      document.getElementById("badge-pairing").textContent = both[0].pending.length ? String(both[0].pending.length) : "";
      document.getElementById("badge-approvals").textContent = both[1].approvals.length ? String(both[1].approvals.length) : "";
    });
  }

  function show() {
    var name = location.hash.replace(/^#/, "") || "overview";
    current = pages[name] || pages.overview;
    shownKey = "";
    listNode = el("div", { class: "list" });
    view.replaceChildren(current.controls ? current.controls() : el("span"), listNode);
    document.querySelectorAll("nav a").forEach(function (link) {
      link.classList.toggle("current", link.getAttribute("data-page") === current.name);
    });
    return refresh();
  }

  function start() {
    window.addEventListener("hashchange", show);
    show();
    badges();
    // New pairing requests and approvals show up within a poll, without a reload.
    setInterval(function () {
      refresh();
      badges();
    }, 2500);
  }

  return { el: el, api: api, say: say, ago: ago, when: when, act: act, pages: pages, start: start,
    refresh: function () { shownKey = ""; return refresh(); } };
})();
`;
