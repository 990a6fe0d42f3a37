// Start page: search actors through the JSON API and list them as links (names as text, never HTML).
(function () {
  "use strict";
  var form = document.getElementById("search-form");
  var list = document.getElementById("results");
  var status = document.getElementById("search-status");
  var names = JSON.parse(document.getElementById("county-names").textContent);
  function enc(id) { return encodeURIComponent(id).replace(/%3A/g, ":"); }
  function show(page) {
    list.textContent = "";
    status.textContent = (status.dataset.found || "{n} actors found").replace("{n}", String(page.total)) +
      (page.total > page.data.length ? ", showing " + page.data.length : "");
    page.data.forEach(function (a) {
      var li = document.createElement("li");
      var link = document.createElement("a");
      link.href = "/views/actor/" + enc(a.id);
      link.className = "actor-link";
      link.textContent = a.name;
      li.appendChild(link);
      var meta = document.createElement("span");
      meta.className = "muted";
      meta.textContent = " · " + a.kind.replace(/_/g, " ") + (a.county_code ? " · " + (names[a.county_code] || "county " + a.county_code) : (a.country ? " · " + a.country : ""));
      li.appendChild(meta);
      var json = document.createElement("a");
      json.href = "/actors/" + enc(a.id);
      json.textContent = " (data)";
      li.appendChild(json);
      list.appendChild(li);
    });
  }
  function search() {
    var params = new URLSearchParams();
    params.set("q", document.getElementById("q").value);
    var county = document.getElementById("county").value;
    if (county) { params.set("county", county); }
    params.set("limit", "25");
    status.textContent = status.dataset.searching || "searching…";
    fetch("/actors?" + params.toString(), { headers: { Accept: "application/json" } })
      .then(function (r) { return r.json().then(function (body) { return { ok: r.ok, body: body }; }); })
      .then(function (res) {
        if (!res.ok) { list.textContent = ""; status.textContent = String(res.body.detail || "search failed"); return; }
        show(res.body);
      })
      .catch(function () { status.textContent = "search failed: is the server running?"; });
  }
  form.addEventListener("submit", function (ev) { ev.preventDefault(); search(); });
})();

// Partner form: find members by name through the same JSON search and add their ids to the consortium.
(function () {
  "use strict";
  var input = document.getElementById("member-search");
  var options = document.getElementById("member-options");
  var members = document.getElementById("members");
  var add = document.getElementById("member-add");
  if (!input || !options || !members) { return; }
  var found = {};
  var timer = null;
  function lookup() {
    var q = input.value.trim();
    if (q.length < 2) { return; }
    fetch("/actors?limit=10&q=" + encodeURIComponent(q), { headers: { Accept: "application/json" } })
      .then(function (r) { return r.ok ? r.json() : { data: [] }; })
      .then(function (page) {
        options.textContent = "";
        found = {};
        page.data.forEach(function (a) {
          var o = document.createElement("option");
          o.value = a.name;
          o.textContent = a.id;
          found[a.name] = a.id;
          options.appendChild(o);
        });
      })
      .catch(function () { /* search is a convenience: typing ids or names still works */ });
  }
  function addMember() {
    var name = input.value.trim();
    if (!name) { return; }
    var id = found[name] || name;
    var list = members.value.split(",").map(function (s) { return s.trim(); }).filter(Boolean);
    if (list.indexOf(id) < 0) { list.push(id); }
    members.value = list.join(", ");
    input.value = "";
  }
  input.addEventListener("input", function () { clearTimeout(timer); timer = setTimeout(lookup, 200); });
  input.addEventListener("change", function () { if (found[input.value.trim()]) { addMember(); } });
  add.addEventListener("click", addMember);
})();
