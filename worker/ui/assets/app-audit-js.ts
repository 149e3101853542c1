/**
 * The Control UI's audit page: the filters (kind, actor) live in `controls`, outside the list the
 * refresh replaces, so typing in them survives a poll. Part of /ui/app.js, before the other pages.
 */
export const APP_AUDIT_JS = String.raw`
(function (D) {
  var el = D.el, api = D.api;
  function empty(text) {
    return el("p", { class: "muted", text: text });
  }

  var filter = { kind: "", actor: "", page: 1 };
  var kindSelect = null;
  D.pages.audit = {
    name: "audit",
    controls: function () {
      kindSelect = el("select", { name: "kind", "aria-label": "kind" }, [el("option", { value: "", text: "every kind" })]);
      var actor = el("input", { name: "actor", "aria-label": "actor", placeholder: "actor contains…", value: filter.actor });
      return el("form", { class: "filters", onsubmit: function (event) {
        event.preventDefault();
        filter = { kind: kindSelect.value, actor: actor.value, page: 1 };
        D.refresh();
      } }, [kindSelect, actor, el("button", { type: "submit", text: "Filter" })]);
    },
    load: function () {
      var query = "?kind=" + encodeURIComponent(filter.kind) + "&actor=" + encodeURIComponent(filter.actor) + "&page=" + filter.page;
      return api("GET", "/audit-page" + query);
    },
    render: function (data) {
      var known = Array.prototype.map.call(kindSelect.options, function (option) { return option.value; });
      data.kinds.forEach(function (kind) {
        if (known.indexOf(kind) < 0) kindSelect.appendChild(el("option", { value: kind, text: kind }));
      });
      kindSelect.value = filter.kind;
      var rows = data.events.map(function (event) {
        return el("tr", { "data-kind": event.kind }, [
          el("td", { text: D.when(event.at) }), el("td", { class: "mono", text: event.kind }),
          el("td", { text: event.channel }), el("td", { class: "mono", text: event.actor }),
          el("td", { class: "mono", text: JSON.stringify(event.detail) }),
        ]);
      });
      var go = function (page) {
        return function () {
          filter.page = page;
          D.refresh();
        };
      };
      return el("div", {}, [
        rows.length ? el("table", {}, [el("thead", {}, [el("tr", {}, ["When", "Kind", "Channel", "Actor", "Detail"].map(function (h) {
          return el("th", { text: h });
        }))]), el("tbody", {}, rows)]) : empty("No events match."),
        el("div", { class: "pager" }, [
          el("button", { type: "button", text: "Newer", disabled: data.page <= 1, onclick: go(data.page - 1) }),
          el("span", { text: "page " + data.page + " of " + data.pages + " · " + data.total + " events" }),
          el("button", { type: "button", text: "Older", disabled: data.page >= data.pages, onclick: go(data.page + 1) }),
        ]),
      ]);
    },
  };

})(Drawbridge);
`;
