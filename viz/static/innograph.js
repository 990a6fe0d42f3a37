// Draw the network of a view page. The graph comes as JSON from <script id="graph-data">;
// tooltips become DOM elements filled with textContent, so a name is never parsed as HTML.
(function () {
  "use strict";
  var holder = document.getElementById("graph-data");
  var container = document.getElementById("network");
  if (!holder || !container || typeof vis === "undefined") { return; }
  var data = JSON.parse(holder.textContent);

  function tooltip(text) {
    var el = document.createElement("div");
    el.className = "tip";
    el.textContent = text;
    return el;
  }
  data.nodes.forEach(function (n) { if (typeof n.title === "string") { n.title = tooltip(n.title); } });
  data.edges.forEach(function (e) { if (typeof e.title === "string") { e.title = tooltip(e.title); } });

  var nodes = new vis.DataSet(data.nodes);
  var edges = new vis.DataSet(data.edges);
  var network = new vis.Network(container, { nodes: nodes, edges: edges }, data.options);
  var state = { nodes: nodes.length, edges: edges.length, stabilised: false, network: network };
  window.innograph = state;

  var status = document.getElementById("status");
  function done() {
    state.stabilised = true;
    network.setOptions({ physics: { enabled: false } });
    document.body.dataset.stabilised = "true";
    if (status) { status.textContent = status.dataset.done || "layout done"; }
  }
  if (data.options.physics && data.options.physics.enabled) {
    network.once("stabilizationIterationsDone", done);
  } else {
    network.once("afterDrawing", done);
  }
  network.on("doubleClick", function (params) {
    if (params.nodes.length !== 1) { return; }
    var node = nodes.get(params.nodes[0]);
    if (node && typeof node.url === "string" && node.url.charAt(0) === "/") { window.location.href = node.url; }
  });
  network.on("click", function (params) {
    if (params.nodes.length !== 1) { return; }
    var node = nodes.get(params.nodes[0]);
    var info = document.getElementById("selected");
    if (!info) {
      info = document.createElement("p");
      info.id = "selected";
      info.className = "selected";
      container.parentNode.insertBefore(info, container.nextSibling);
    }
    info.textContent = "";
    var name = document.createElement("strong");
    name.textContent = node.name || String(node.id);
    info.appendChild(name);
    if (typeof node.url === "string" && node.url.charAt(0) === "/") {
      info.appendChild(document.createTextNode(" · "));
      var a = document.createElement("a");
      a.href = node.url;
      a.textContent = (status && status.dataset.open) || "open it";
      info.appendChild(a);
    }
  });
})();
