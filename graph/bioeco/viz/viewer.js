// bioeco viewer: draws the embedded data with vis-network; every text goes in as plain text.
(function () {
  "use strict";
  var DATA = JSON.parse(document.getElementById("bioeco-data").textContent);

  function el(tag, text, cls) {
    var node = document.createElement(tag);
    if (text !== undefined && text !== null) node.textContent = String(text);
    if (cls) node.className = cls;
    return node;
  }
  function option(select, value, text) {
    var opt = el("option", text);
    opt.value = value;
    select.appendChild(opt);
  }
  function fold(text) {
    return String(text).toLowerCase().normalize("NFD").replace(/[\u0300-\u036f]/g, "");
  }

  document.getElementById("title").textContent = DATA.title;
  document.getElementById("subtitle").textContent = DATA.subtitle;

  // ---- legend -----------------------------------------------------------------------------
  var legend = document.getElementById("legend");
  legend.appendChild(el("h2", "Colour: sector"));
  var list = el("ul");
  DATA.legend.sectors.forEach(function (s) {
    var li = el("li");
    var sw = el("span", null, "swatch");
    sw.style.background = s.color;
    li.appendChild(sw);
    li.appendChild(el("span", s.label));
    li.appendChild(el("span", s.count, "count"));
    list.appendChild(li);
    (s.gaps || []).forEach(function (g) { list.appendChild(el("li", g, "gap")); });
  });
  legend.appendChild(list);
  if (DATA.legend.gaps) {
    legend.appendChild(el("p", "Gaps: sector × stage cells with no or few (thin) actors or initiatives, from gaps_coverage.", "hint"));
  }
  legend.appendChild(el("h2", "Shape: type"));
  list = el("ul");
  DATA.legend.shapes.forEach(function (s) {
    var li = el("li");
    li.appendChild(el("span", s.glyph, "glyph"));
    li.appendChild(el("span", s.label));
    li.appendChild(el("span", s.count, "count"));
    list.appendChild(li);
  });
  legend.appendChild(list);
  legend.appendChild(el("h2", DATA.view === "bipartite" ? "Lines: role" : "Lines"));
  list = el("ul");
  DATA.legend.edges.forEach(function (e) {
    var li = el("li");
    var mark;
    if (e.ring) {
      mark = el("span", null, "ring");
      mark.style.borderColor = e.color;
    } else {
      mark = el("span", null, "line");
      mark.style.borderTop = Math.max(2, e.width) + "px " + (e.dashed ? "dashed " : "solid ") + e.color;
    }
    li.appendChild(mark);
    li.appendChild(el("span", e.label));
    list.appendChild(li);
  });
  legend.appendChild(list);
  legend.appendChild(el("p", "Size: " + DATA.subtitle.split(" · ").pop().replace("size: ", "") +
    ". Hover a node or line for its sources; click a node to highlight its neighbours.", "hint"));

  // ---- filter menus -------------------------------------------------------------------------
  var sectorSelect = document.getElementById("filter-sector");
  option(sectorSelect, "", "all sectors");
  DATA.legend.sectors.forEach(function (s) { if (s.count) option(sectorSelect, s.key, s.label); });
  var typeSelect = document.getElementById("filter-type");
  option(typeSelect, "", "all types");
  DATA.filters.types.forEach(function (t) { option(typeSelect, t.code, t.label + " (" + t.count + ")"); });
  var roleSelect = document.getElementById("filter-role");
  option(roleSelect, "", "all roles");
  DATA.filters.roles.forEach(function (r) { option(roleSelect, r.code, r.label + " (" + r.count + ")"); });
  if (!DATA.filters.roles.length) roleSelect.parentNode.style.display = "none";
  var search = document.getElementById("search");
  var status = document.getElementById("status");

  // ---- network ------------------------------------------------------------------------------
  var nodes = new vis.DataSet(DATA.nodes);
  var edges = new vis.DataSet(DATA.edges);
  var container = document.getElementById("network");
  var network = new vis.Network(container, { nodes: nodes, edges: edges }, DATA.options);
  if (DATA.physics) {
    network.once("stabilizationIterationsDone", function () {
      network.setOptions({ physics: { enabled: false } });
      network.fit();
      document.body.setAttribute("data-ready", "true");
    });
  } else {
    network.once("afterDrawing", function () { document.body.setAttribute("data-ready", "true"); });
  }

  var byId = {};
  DATA.nodes.forEach(function (n) { byId[n.id] = n; });
  var adjacency = {};  // node id -> neighbour ids (overlay lines left out)
  var incident = {};   // node id -> ids of its edges (overlay lines left out)
  DATA.nodes.forEach(function (n) { adjacency[n.id] = []; incident[n.id] = []; });
  DATA.edges.forEach(function (e) {
    if (e.overlay) return;
    adjacency[e.from].push(e.to);
    adjacency[e.to].push(e.from);
    incident[e.from].push(e.id);
    incident[e.to].push(e.id);
  });

  var hidden = {};      // node id -> hidden by filters/search
  var edgeHidden = {};  // edge id -> hidden
  var highlighted = null;

  function applyFilters() {
    var sector = sectorSelect.value, type = typeSelect.value, role = roleSelect.value;
    var query = fold(search.value.trim());
    var roleNodes = null;
    if (role) {
      roleNodes = {};
      DATA.edges.forEach(function (e) {
        if (e.roles.indexOf(role) >= 0) { roleNodes[e.from] = true; roleNodes[e.to] = true; }
      });
    }
    var matches = null, matchCount = 0;
    if (query) {
      matches = {};
      DATA.nodes.forEach(function (n) {
        if (fold(n.search).indexOf(query) >= 0) {
          matchCount += 1;
          matches[n.id] = true;
          adjacency[n.id].forEach(function (m) { if (!matches[m]) matches[m] = "neighbour"; });
        }
      });
    }
    var nodeUpdates = [], edgeUpdates = [], shown = 0, matchIds = [];
    DATA.nodes.forEach(function (n) {
      var ok = true;
      if (sector) ok = sector === "several" || sector === "none" ? n.sectorKey === sector : n.tops.indexOf(sector) >= 0;
      if (ok && type) ok = n.typeCode === type;
      if (ok && roleNodes) ok = !!roleNodes[n.id];
      if (ok && matches) ok = !!matches[n.id];
      if (ok && matches && matches[n.id] === true) matchIds.push(n.id);
      if (ok) shown += 1;
      if (!!hidden[n.id] === ok) {
        hidden[n.id] = !ok;
        nodeUpdates.push({ id: n.id, hidden: !ok });
      }
    });
    DATA.edges.forEach(function (e) {
      var ok = !hidden[e.from] && !hidden[e.to] && (!role || e.overlay || e.roles.indexOf(role) >= 0);
      if (!!edgeHidden[e.id] === ok) {
        edgeHidden[e.id] = !ok;
        edgeUpdates.push({ id: e.id, hidden: !ok });
      }
    });
    if (nodeUpdates.length) nodes.update(nodeUpdates);
    if (edgeUpdates.length) edges.update(edgeUpdates);
    var text = "Showing " + shown + " of " + DATA.nodes.length + " nodes";
    if (query) text += " · " + matchCount + (matchCount === 1 ? " match" : " matches");
    status.textContent = text;
    if (query && matchIds.length) network.fit({ nodes: matchIds, animation: false });
  }

  // A click highlights a node and its neighbours. That is a drawing state, not data: while a
  // node is highlighted every node is drawn translucent and no line is drawn, then the node's
  // own lines and its neighbours are drawn on top at full strength. A click thus costs one
  // redraw of k lines and the nodes, whatever the graph's size; no node or edge of the DataSets
  // is touched. (vis-network internals used: body.edgeIndices, the lines a frame draws, and
  // body.nodes/edges[id].draw, as in the copy inlined from pyvis, vis-network 9.1.2.)
  var FADE = 0.2;
  var nearIds = [];  // the highlighted node's neighbours, then the node itself (drawn last)
  var allEdges = null;  // the lines vis-network would draw, put aside during a faded frame

  network.on("beforeDrawing", function (ctx) {
    if (highlighted === null) return;
    ctx.globalAlpha = FADE;
    allEdges = network.body.edgeIndices;
    network.body.edgeIndices = [];
  });
  network.on("afterDrawing", function (ctx) {
    if (allEdges !== null) {
      network.body.edgeIndices = allEdges;
      allEdges = null;
    }
    if (highlighted === null) return;
    ctx.globalAlpha = 1;
    var body = network.body, labels = [];
    incident[highlighted].forEach(function (id) {
      var edge = body.edges[id];
      if (edge && !edgeHidden[id]) edge.draw(ctx);
    });
    nearIds.forEach(function (id) {
      var node = body.nodes[id];
      if (!node || hidden[id]) return;
      var drawn = node.draw(ctx);
      if (drawn && drawn.drawExternalLabel) labels.push(drawn.drawExternalLabel);
    });
    labels.forEach(function (draw) { draw(); });
  });

  function highlight(id) {
    if (highlighted === id) return;
    highlighted = id;
    nearIds = id === null ? [] : adjacency[id].concat([id]);
    container.setAttribute("data-highlighted", id === null ? "" : id);
    // one redraw at the next frame, shared with the one vis-network asks for on a click
    network.body.emitter.emit("_requestRedraw");
  }

  network.on("click", function (params) {
    highlight(params.nodes.length ? params.nodes[0] : null);
  });
  search.addEventListener("input", applyFilters);
  [sectorSelect, typeSelect, roleSelect].forEach(function (s) { s.addEventListener("change", applyFilters); });
  document.getElementById("reset").addEventListener("click", function () {
    search.value = "";
    sectorSelect.value = typeSelect.value = roleSelect.value = "";
    highlight(null);
    applyFilters();
    network.fit();
  });
  applyFilters();

  // for tests, notebooks and the curious: the live objects and what is visible
  window.bioecoViewer = {
    network: network,
    nodes: nodes,
    edges: edges,
    visibleNodeIds: function () {
      return nodes.getIds({ filter: function (n) { return !n.hidden; } });
    },
    highlighted: function () { return highlighted; },
    faded: function (id) { return highlighted !== null && nearIds.indexOf(id) < 0; },
    neighbours: function (id) { return adjacency[id].slice(); },
  };
})();
