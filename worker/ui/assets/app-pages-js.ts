/**
 * The Control UI's script, second half: one object per page (`load` fetches, `render` builds the
 * list from the answer, `controls` the parts that must survive a refresh, like the audit filters).
 * Names, labels and commands are the senders' and the model's own text: textContent only. The
 * audit page is in app-audit-js.ts, which runs first.
 */
export const APP_PAGES_JS = String.raw`
(function (D) {
  var el = D.el, api = D.api, act = D.act;
  var CHANNEL = "telegram";

  function empty(text) {
    return el("p", { class: "muted", text: text });
  }

  D.pages.overview = {
    name: "overview",
    load: function () {
      return Promise.all([api("GET", "/status"), api("GET", "/channels")]).then(function (both) {
        return { status: both[0], channels: both[1].channels };
      });
    },
    render: function (data) {
      var runners = data.status.runners.map(function (runner) {
        if (runner.unavailable) {
          return el("div", { class: "card runner", "data-runner": runner.runner }, [
            el("h3", { text: runner.runner }),
            el("span", { class: "pill off", text: "unknown" }),
            el("p", { class: "muted", text: runner.unavailable }),
          ]);
        }
        return el("div", { class: "card runner", "data-runner": runner.runner }, [
          el("h3", { text: runner.runner }),
          el("span", { class: "pill " + (runner.connected ? "on" : "off"), text: runner.connected ? "online" : "offline" }),
          el("p", { class: "muted", text: runner.lastSeen === null ? "never seen" : "last seen " + D.ago(runner.lastSeen) }),
          el("p", { text: "queue " + runner.queueDepth + " · in flight " + runner.inFlight }),
        ]);
      });
      var channels = data.channels.map(function (channel) {
        return el("span", { class: "pill " + (channel.on ? "on" : "off"), text: channel.name + " " + (channel.on ? "on" : "off") });
      });
      return el("div", {}, [
        el("h2", { text: "Runners" }),
        runners.length ? el("div", { class: "cards" }, runners) : empty("No runner has registered yet (npm start registers one)."),
        el("h2", { text: "Channels" }),
        el("div", { class: "filters" }, channels),
        el("h2", { text: "Model" }),
        el("p", { class: "mono", text: data.status.model || "none configured" }),
      ]);
    },
  };

  D.pages.pairing = {
    name: "pairing",
    load: function () {
      return api("GET", "/pairing/" + CHANNEL);
    },
    render: function (data) {
      if (!data.pending.length) return empty("No one is waiting to pair.");
      return el("div", {}, data.pending.map(function (request) {
        var decide = function (action, role) {
          return function () {
            var body = role ? { code: request.code, role: role } : { code: request.code };
            act(api("POST", "/pairing/" + CHANNEL + "/" + action, body));
          };
        };
        return el("div", { class: "item pairing", "data-code": request.code, "data-sender": request.senderId }, [
          el("div", { class: "what" }, [
            el("strong", { text: request.name }),
            el("div", { class: "muted", text: "sender " + request.senderId + " · asked " + request.ageSeconds + " s ago · expires in " +
              Math.round(request.expiresInSeconds / 60) + " min" }),
            el("div", {}, ["code ", el("code", { text: request.code })]),
          ]),
          el("div", { class: "actions" }, [
            el("button", { class: "primary", type: "button", text: "Approve", onclick: decide("approve") }),
            el("button", { type: "button", text: "Deny", onclick: decide("deny") }),
            el("button", { class: "danger", type: "button", text: "Block", onclick: decide("approve", "blocked") }),
          ]),
        ]);
      }));
    },
  };

  D.pages.senders = {
    name: "senders",
    load: function () {
      return api("GET", "/allow/" + CHANNEL);
    },
    render: function (data) {
      if (!data.allowed.length) return empty("No approved or blocked senders yet.");
      return el("div", {}, data.allowed.map(function (sender) {
        var path = "/allow/" + CHANNEL + "/" + encodeURIComponent(sender.senderId);
        var actions = sender.role === "owner" ? [el("span", { class: "pill", text: "owner" })] : [
          el("select", { "aria-label": "role", onchange: function (event) {
            act(api("PUT", path, { role: event.target.value }));
          } }, ["trusted", "limited", "blocked"].map(function (role) {
            return el("option", { value: role, selected: role === sender.role, text: role });
          })),
          el("button", { class: "danger", type: "button", text: "Revoke", onclick: function () {
            act(api("DELETE", path));
          } }),
        ];
        return el("div", { class: "item sender", "data-sender": sender.senderId }, [
          el("div", { class: "what" }, [
            el("strong", { text: sender.name || sender.senderId }),
            el("div", { class: "muted", text: "sender " + sender.senderId + " · " + sender.role + " · from " + sender.source }),
          ]),
          el("div", { class: "actions" }, actions),
        ]);
      }));
    },
  };

  D.pages.approvals = {
    name: "approvals",
    load: function () {
      return api("GET", "/approvals");
    },
    render: function (data) {
      if (!data.approvals.length) return empty("Nothing is waiting for your approval.");
      return el("div", {}, data.approvals.map(function (approval) {
        var decide = function (decision) {
          return function () {
            act(api("POST", "/approvals/" + approval.id, { decision: decision }));
          };
        };
        return el("div", { class: "item approval", "data-approval": approval.id }, [
          el("div", { class: "what" }, [
            el("div", {}, [el("strong", { text: approval.senderName || approval.sender }),
              el("span", { class: "muted", text: " (" + approval.sender + ", " + approval.role + ") wants to run " + approval.tool })]),
            el("pre", { class: "mono", text: approval.label }),
            el("div", { class: "muted", text: approval.reason }),
            el("div", { class: "muted", text: "asked " + D.when(approval.createdAt) + " · expires " + D.when(approval.expiresAt) }),
          ]),
          el("div", { class: "actions" }, [
            el("button", { class: "primary", type: "button", text: "Allow once", onclick: decide("allow-once") }),
            el("button", { class: "danger", type: "button", text: "Deny", onclick: decide("deny") }),
          ]),
        ]);
      }));
    },
  };

  D.start();
})(Drawbridge);
`;
