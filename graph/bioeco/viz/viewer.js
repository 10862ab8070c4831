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
  function clear(node) { while (node.firstChild) node.removeChild(node.firstChild); }

  document.getElementById("title").textContent = DATA.title;
  document.getElementById("subtitle").textContent = DATA.subtitle;

  var byId = {};
  DATA.nodes.forEach(function (n) { byId[n.id] = n; });
  var edgeById = {};
  DATA.edges.forEach(function (e) { edgeById[e.id] = e; });
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
  var byRank = DATA.nodes.slice().sort(function (a, b) { return a.rank - b.rank; });

  // ---- state: what the page shows; it lives in the URL fragment -------------------------------
  var ENC = DATA.encodings;
  var state = { q: "", sector: [], type: [], role: [], year: "", focus: "", sel: "",
                colour: ENC.colourDefault, size: ENC.sizeDefault };
  var LIST_KEYS = ["sector", "type", "role"];

  function toHash() {
    var parts = [];
    if (state.q) parts.push("q=" + encodeURIComponent(state.q));
    LIST_KEYS.forEach(function (k) {
      if (state[k].length) parts.push(k + "=" + state[k].map(encodeURIComponent).join(","));
    });
    ["year", "focus", "sel"].forEach(function (k) {
      if (state[k]) parts.push(k + "=" + encodeURIComponent(state[k]));
    });
    if (state.colour !== ENC.colourDefault) parts.push("colour=" + state.colour);
    if (state.size !== ENC.sizeDefault) parts.push("size=" + state.size);
    return parts.join("&");
  }
  function fromHash(hash) {
    hash.replace(/^#/, "").split("&").forEach(function (part) {
      var i = part.indexOf("=");
      if (i < 0) return;
      var key = part.slice(0, i), value = part.slice(i + 1);
      if (LIST_KEYS.indexOf(key) >= 0) {
        state[key] = value ? value.split(",").map(decodeURIComponent) : [];
      } else if (key in state) {
        state[key] = decodeURIComponent(value);
      }
    });
    if (state.focus && !known(state.focus)) state.focus = "";
    if (state.sel && !known(state.sel)) state.sel = "";
    if (!ENC.colour.some(function (c) { return c.key === state.colour; })) state.colour = ENC.colourDefault;
    if (!ENC.size.some(function (s) { return s.key === state.size; })) state.size = ENC.sizeDefault;
    if (state.year && DATA.years.map(String).indexOf(state.year) < 0 &&
        !(state.year === "change" && DATA.change)) state.year = "";
  }
  function saveHash() {
    var url = location.href.split("#")[0] + (toHash() ? "#" + toHash() : "");
    try { history.replaceState(null, "", url); } catch (err) { /* a sandboxed frame */ }
  }

  // ---- controls -------------------------------------------------------------------------------
  var search = document.getElementById("search");
  var status = document.getElementById("status");
  var yearSelect = document.getElementById("year");
  var colourSelect = document.getElementById("colour");
  var sizeSelect = document.getElementById("size");
  if (DATA.years.length) {
    option(yearSelect, "", "all years");
    DATA.years.forEach(function (y) { option(yearSelect, String(y), String(y)); });
    if (DATA.change) option(yearSelect, "change", "change " + DATA.change.from + " → " + DATA.change.to);
  } else {
    document.getElementById("year-control").hidden = true;
  }
  ENC.colour.forEach(function (c) { option(colourSelect, c.key, c.label); });
  ENC.size.forEach(function (s) { option(sizeSelect, s.key, s.label); });

  // multi-select menus: a checkbox per entry, a count beside it
  var menus = {};  // key -> {entries: [{value, box, count, group}], chosen: span}
  function makeMenu(key, groups) {
    var root = document.getElementById("menu-" + key);
    var body = root.querySelector(".menu-body");
    var entries = [];
    groups.forEach(function (g) {
      var list = body;
      if (g.label) {
        var head = el("label", null, "group");
        var groupBox = el("input");
        groupBox.type = "checkbox";
        groupBox.setAttribute("data-group", g.label);
        head.appendChild(groupBox);
        head.appendChild(el("span", (g.glyph ? g.glyph + " " : "") + g.label));
        var groupCount = el("span", "", "count");
        head.appendChild(groupCount);
        body.appendChild(head);
        list = el("div", null, "group-items");
        body.appendChild(list);
        g.box = groupBox;
        g.count = groupCount;
        groupBox.addEventListener("change", function () {
          g.items.forEach(function (v) { toggle(key, v, groupBox.checked); });
          apply({ refit: true });
        });
      }
      g.items.forEach(function (item) {
        var label = el("label", null, "entry");
        var box = el("input");
        box.type = "checkbox";
        box.value = item.value;
        label.appendChild(box);
        if (item.color) {
          var sw = el("span", null, "swatch");
          sw.style.background = item.color;
          label.appendChild(sw);
        }
        label.appendChild(el("span", item.label));
        var count = el("span", "", "count");
        label.appendChild(count);
        list.appendChild(label);
        entries.push({ value: item.value, box: box, count: count, group: g });
        box.addEventListener("change", function () {
          toggle(key, item.value, box.checked);
          apply({ refit: true });
        });
      });
      g.items = g.items.map(function (item) { return item.value; });
    });
    menus[key] = { root: root, entries: entries, groups: groups, chosen: root.querySelector(".chosen") };
  }
  function toggle(key, value, on) {
    var list = state[key].filter(function (v) { return v !== value; });
    if (on) list.push(value);
    state[key] = list;
  }
  makeMenu("sector", [{ items: DATA.legend.sectors.map(function (s) {
    return { value: s.key, label: s.label, color: s.color };
  }) }]);
  var typeLabel = {};
  DATA.filters.types.forEach(function (t) { typeLabel[t.code] = t.label; });
  makeMenu("type", DATA.filters.typeGroups.map(function (g) {
    return { label: g.label, glyph: g.glyph, items: g.types.map(function (code) {
      return { value: code, label: typeLabel[code] };
    }) };
  }));
  makeMenu("role", [{ items: DATA.filters.roles.map(function (r) { return { value: r.code, label: r.label }; }) }]);
  if (!DATA.filters.roles.length) menus.role.root.hidden = true;
  // one menu open at a time; a click elsewhere closes it
  document.addEventListener("click", function (event) {
    Object.keys(menus).forEach(function (k) {
      if (!menus[k].root.contains(event.target)) menus[k].root.open = false;
    });
  });

  // ---- legend ---------------------------------------------------------------------------------
  var legend = document.getElementById("legend");
  if (DATA.outside) {
    var note = el("section", null, "summary-note");
    note.id = "summary-note";
    note.appendChild(el("h2", "Summarised view"));
    DATA.outside.note.text.forEach(function (t) { note.appendChild(el("p", t)); });
    legend.appendChild(note);
  }
  var colourList = el("ul");
  var colourHead = el("h2");
  legend.appendChild(colourHead);
  legend.appendChild(colourList);
  var colourRows = {};
  function drawColourLegend() {
    clear(colourList);
    colourRows = {};
    var choice = ENC.colour.filter(function (c) { return c.key === colourKey(); })[0];
    colourHead.textContent = "Colour: " + choice.label;
    DATA.legend.colours[colourKey()].forEach(function (s) {
      var li = el("li");
      var sw = el("span", null, "swatch");
      sw.style.background = s.color;
      li.appendChild(sw);
      li.appendChild(el("span", s.label));
      var count = el("span", "", "count");
      li.appendChild(count);
      colourList.appendChild(li);
      colourRows[s.key] = count;
    });
    if (choice.note) colourList.appendChild(el("li", choice.note, "note"));
  }
  if (DATA.legend.counts) {
    var counts = DATA.legend.counts;
    var totalNote = el("p", counts.total, "hint");
    totalNote.id = "node-total";
    legend.appendChild(totalNote);
    if (counts.sectors.length) {
      var compare = el("details", null, "counts");
      compare.id = "count-notes";
      compare.appendChild(el("summary", "These counts and the report's"));
      var rows = el("ul");
      counts.sectors.forEach(function (r) { rows.appendChild(el("li", r.text, "note")); });
      compare.appendChild(rows);
      compare.appendChild(el("p", counts.definition, "hint"));
      legend.appendChild(compare);
    }
  }
  legend.appendChild(el("h2", "Shape: type"));
  var list = el("ul");
  var shapeRows = {};
  DATA.legend.shapes.forEach(function (s) {
    var li = el("li");
    li.appendChild(el("span", s.glyph, "glyph"));
    li.appendChild(el("span", s.label));
    shapeRows["type:" + s.label] = li.appendChild(el("span", s.count, "count"));
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
  if (DATA.legend.scenario) {
    var whatif = el("p", DATA.legend.scenario, "hint scenario-note");
    whatif.id = "scenario-note";
    legend.appendChild(whatif);
  }
  var sizeHead = el("h2");
  var sizeNote = el("p", "", "hint");
  legend.appendChild(sizeHead);
  legend.appendChild(sizeNote);
  function drawSizeLegend() {
    var choice = ENC.size.filter(function (s) { return s.key === state.size; })[0];
    sizeHead.textContent = "Size: " + choice.label;
    sizeNote.textContent = choice.note;
  }
  if (DATA.legend.gaps.length) {
    var gaps = el("details", null, "gaps");
    gaps.appendChild(el("summary", "Gaps in the value chain (" + DATA.legend.gaps.length + " sectors)"));
    gaps.appendChild(el("p", DATA.legend.gapsNote, "hint"));
    var gapList = el("ul");
    DATA.legend.gaps.forEach(function (g) {
      var li = el("li", null, "gap");
      li.appendChild(el("strong", g.sector + ": "));
      li.appendChild(el("span", g.text));
      gapList.appendChild(li);
    });
    gaps.appendChild(gapList);
    legend.appendChild(gaps);
  }
  legend.appendChild(el("p", "Click a node for its facts and sources; search or filter to focus; " +
    "Copy link shares this exact view.", "hint"));

  // ---- network --------------------------------------------------------------------------------
  var TINY_FONT = 1;  // unlabelled nodes: a label vis-network does not draw at any usual zoom
  var LABEL_CHARS = 40;  // longer names are cut on the canvas (the panel and tooltip show them whole)
  function visNode(n) {
    var copy = Object.assign({}, n, { font: { size: TINY_FONT } });
    if (n.label.length > LABEL_CHARS) copy.label = n.label.slice(0, LABEL_CHARS - 1).trim() + "…";
    return copy;
  }
  var nodes = new vis.DataSet(DATA.nodes.map(visNode));
  var edges = new vis.DataSet(DATA.edges);
  var container = document.getElementById("network");
  var network = new vis.Network(container, { nodes: nodes, edges: edges }, DATA.options);
  var fontOf = {};  // node id -> font size set by placeLabels

  // ---- a summarised big graph: the nodes left out are drawn when search or focus asks --------
  // DATA.outside lists them compactly (ids, rows, lines as index triples); pull() turns the ones
  // the state asks for (search matches and their neighbours, the focus and its neighbours) into
  // nodes and lines like the drawn ones, added to the DataSets once and shown while asked for.
  var OUT = DATA.outside;
  var outRow = {};   // left-out node id -> its row
  var outIndex = {}; // left-out node id -> its row number
  var outNear = {};  // node id -> [other id, line kind, line number] for lines with an end left out
  var outFolded = null;
  var pulled = {};   // left-out nodes the current state shows
  var PULL_MAX = 200;  // at most this many left-out search matches are drawn
  if (OUT) {
    OUT.nodes.forEach(function (row, i) { outRow[row[0]] = row; outIndex[row[0]] = i; });
    for (var li = 0; li < OUT.edges.length; li += 3) {
      var ea = OUT.ids[OUT.edges[li]], eb = OUT.ids[OUT.edges[li + 1]], ek = OUT.edges[li + 2];
      (outNear[ea] = outNear[ea] || []).push([eb, ek, li / 3]);
      (outNear[eb] = outNear[eb] || []).push([ea, ek, li / 3]);
    }
  }
  // a row: id, label, kind, type code, sector key, top sectors, x, y, aliases, change key,
  // sizes and measures (in the order of OUT.sizeKeys), class facts (indexes into OUT.classes:
  // scheme, label, basis, source) and the sources naming it (indexes into OUT.sources)
  function makeNode(row, index) {
    var sizes = {}, measures = {};
    OUT.sizeKeys.forEach(function (k, j) {
      sizes[k] = row[10][j];
      if (row[11][j] !== null) measures[k] = row[11][j];
    });
    var type = OUT.types[row[2] + "/" + row[3]];  // words, shape group, shape
    var typeKey = "type:" + type[1];
    var colors = { sector: OUT.palette.sector[row[4]], type: OUT.palette.type[typeKey],
                   community: OUT.palette.community };
    var keys = { sector: row[4], type: typeKey, community: "community:rest" };
    if (DATA.change) { colors.change = OUT.palette.change[row[9]]; keys.change = row[9]; }
    var c = colors[colourKey()];
    return {
      id: row[0], label: row[1], shape: type[2], size: sizes[state.size], x: row[6], y: row[7],
      color: { background: c, border: c, highlight: { background: c, border: "#111111" },
               hover: { background: c, border: "#111111" } },
      borderWidth: 1,
      title: row[1] + "\n" + type[0] + " (" + row[2] + ")\nLeft out of the summarised view; " +
        "its analysis results and the page or line of each source: bioeco viz --focus " + row[0],
      kind: row[2], typeCode: row[3], tops: row[5], sectorKey: row[4],
      search: [row[1], row[0], row[8]].join(" ").toLowerCase(),
      rank: DATA.stats.nodes + index, colors: colors, colorKeys: keys, sizes: sizes,
      measures: measures, sectorLabel: OUT.sectorLabels[row[4]], outside: true,
      details: { type: type[0], aliases: row[8] ? [row[8]] : [], analysis: [],
                 classes: row[12].map(function (i) {
                   var c = OUT.classes[i];
                   return { scheme: c[0], label: c[1], basis: c[2], source: c[3] };
                 }),
                 named: row[13].map(function (i) { return OUT.sources[i]; }),
                 memberships: null },  // from its lines, when the panel opens (indexMemberships)
    };
  }
  // the memberships of a node drawn from the index: the facts of its lines (bipartite view;
  // a line is a membership, its first end the member), as the drawn nodes' panels list them
  function indexMemberships(id) {
    if (!OUT.lineFacts) return [];
    var found = [];
    (outNear[id] || []).forEach(function (link) {
      var line = link[2], member = OUT.ids[OUT.edges[line * 3]];
      var org = OUT.ids[OUT.edges[line * 3 + 1]], other = link[0];
      var facts = OUT.lineFacts[line];
      (typeof facts === "number" ? [facts] : facts).forEach(function (i) {
        var m = OUT.memberships[i];  // role, years, source
        found.push({ other: other, side: member === id ? "in" : "has", role: m[0], years: m[1],
                     source: m[2], label: byId[other] ? byId[other].label
                       : outRow[other] ? outRow[other][1] : other, key: member + " " + org });
      });
    });
    found.sort(function (a, b) { return a.key < b.key ? -1 : a.key > b.key ? 1 : 0; });
    return found.slice(0, OUT.panelMax);
  }
  function makeEdge(line, id) {
    var a = OUT.ids[OUT.edges[line * 3]], b = OUT.ids[OUT.edges[line * 3 + 1]];
    var kind = OUT.kinds[OUT.edges[line * 3 + 2]];  // roles, words, colour, width, dashes
    var title = DATA.view === "bipartite" ? byId[a].label + " — " + kind[1] + " — " + byId[b].label
      : byId[a].label + " and " + byId[b].label + " " + kind[1];
    return { id: id, from: a, to: b, color: { color: kind[2], opacity: OUT.opacity }, width: kind[3],
             dashes: kind[4], title: title, roles: kind[0] };
  }
  function promote(ids) {
    var made = [], lines = [];
    ids.forEach(function (id) {
      if (byId[id] || !outRow[id]) return;
      var n = makeNode(outRow[id], outIndex[id]);
      DATA.nodes.push(n);
      byId[id] = n;
      adjacency[id] = [];
      incident[id] = [];
      made.push(n);
    });
    made.forEach(function (n) {
      (outNear[n.id] || []).forEach(function (link) {
        var eid = "o" + link[2];
        if (!byId[link[0]] || edgeById[eid]) return;
        var e = makeEdge(link[2], eid);
        DATA.edges.push(e);
        edgeById[eid] = e;
        adjacency[e.from].push(e.to);
        adjacency[e.to].push(e.from);
        incident[e.from].push(eid);
        incident[e.to].push(eid);
        lines.push(e);
      });
    });
    if (made.length) {
      byRank = DATA.nodes.slice().sort(function (a, b) { return a.rank - b.rank; });
      nodes.add(made.map(visNode));
    }
    if (lines.length) edges.add(lines);
  }
  function pull() {
    pulled = {};
    if (!OUT) return;
    var want = [];
    function withNeighbours(id) {
      want.push(id);
      (outNear[id] || []).forEach(function (link) { want.push(link[0]); });
    }
    var query = fold(state.q.trim());
    if (query.length >= 2) {
      if (!outFolded) {
        outFolded = OUT.nodes.map(function (row) { return fold([row[1], row[0], row[8]].join(" ")); });
      }
      var found = 0;
      for (var i = 0; i < outFolded.length && found < PULL_MAX; i++) {
        if (outFolded[i].indexOf(query) >= 0) { found += 1; withNeighbours(OUT.nodes[i][0]); }
      }
      DATA.nodes.forEach(function (n) {
        if (!n.outside && fold(n.search).indexOf(query) >= 0) {
          (outNear[n.id] || []).forEach(function (link) { want.push(link[0]); });
        }
      });
    }
    if (state.focus) withNeighbours(state.focus);
    if (state.sel) want.push(state.sel);
    promote(want);
    want.forEach(function (id) { if (outRow[id]) pulled[id] = true; });
  }
  function known(id) { return !!byId[id] || !!outRow[id]; }

  var hidden = {};      // node id -> hidden
  var edgeHidden = {};  // edge id -> hidden
  var highlighted = null;
  var matchSet = {};    // search matches
  var shownIds = [];    // visible node ids, by rank

  // ---- labels: the most important visible nodes, none covering another, readable on screen ---
  var LABEL_PX = 13, MAX_LABELS = 40;
  var measure = document.createElement("canvas").getContext("2d");
  var settleCount = 0, settlePending = false;

  function labelOrder() {
    var first = [], second = [], rest = [];
    var centre = state.focus || state.sel;
    shownIds.forEach(function (id) {
      if (matchSet[id] === true || id === centre) first.push(id);
      else if (matchSet[id] || (centre && adjacency[centre].indexOf(id) >= 0)) second.push(id);
      else rest.push(id);
    });
    return first.concat(second, rest);
  }

  function placeLabels() {
    container.setAttribute("data-settled", "false");
    var scale = network.getScale();
    var view = network.getViewPosition();
    var halfW = container.clientWidth / 2 / scale, halfH = container.clientHeight / 2 / scale;
    var positions = network.getPositions(shownIds);
    var placed = [], chosen = {}, count = 0;
    var limit = (Object.keys(matchSet).length || state.focus) ? MAX_LABELS * 2 : MAX_LABELS;
    labelOrder().forEach(function (id) {
      if (count >= limit) return;
      var p = positions[id], n = nodes.get(id);
      if (!p) return;
      var px = matchSet[id] === true || id === state.focus ? LABEL_PX + 2 : LABEL_PX;
      var font = px / scale;
      measure.font = font + "px sans-serif";
      var half = measure.measureText(n.label).width / 2 + 4 / scale;
      var radius = network.body.nodes[id].options.size;
      var top = p.y + radius + 2 / scale;
      var box = [p.x - half, top, p.x + half, top + font * 1.35 + 6 / scale];
      // the whole label inside the view
      if (box[0] < view.x - halfW || box[2] > view.x + halfW || p.y < view.y - halfH || box[3] > view.y + halfH) return;
      for (var i = 0; i < placed.length; i++) {
        var b = placed[i];
        if (box[0] < b[2] && b[0] < box[2] && box[1] < b[3] && b[1] < box[3]) return;
      }
      placed.push(box);
      chosen[id] = Math.round(font * 100) / 100;
      count += 1;
    });
    var updates = [];
    DATA.nodes.forEach(function (n) {
      var want = chosen[n.id] || TINY_FONT;
      if ((fontOf[n.id] || TINY_FONT) !== want) {
        fontOf[n.id] = want;
        updates.push({ id: n.id, font: { size: want } });
      }
    });
    if (updates.length) nodes.update(updates);
    settlePending = true;
    network.redraw();
  }

  // ---- which nodes and lines are shown --------------------------------------------------------
  // the year whose memberships are shown; none for all years and for the change mode
  function yearNum() { return state.year && state.year !== "change" ? +state.year : 0; }
  // the colouring in use: the change mode colours by what changed between the two years
  function colourKey() { return state.year === "change" ? "change" : state.colour; }
  function edgePasses(e) {
    if (e.overlay) return !yearNum();
    if (yearNum() && (e.years || []).indexOf(yearNum()) < 0) return false;
    if (state.role.length && !e.roles.some(function (r) { return state.role.indexOf(r) >= 0; })) return false;
    return true;
  }
  function sectorPasses(n, sectors) {
    if (!sectors.length) return true;
    return sectors.some(function (s) {
      return s === "several" || s === "none" ? n.sectorKey === s : n.tops.indexOf(s) >= 0;
    });
  }
  // the menus' tests, each leaving out one menu (for the counts beside its entries)
  function passes(n, roleNodes, without) {
    if (yearNum() && (n.years || []).indexOf(yearNum()) < 0) return false;
    if (without !== "sector" && !sectorPasses(n, state.sector)) return false;
    if (without !== "type" && state.type.length && state.type.indexOf(n.typeCode) < 0) return false;
    if (without !== "role" && state.role.length && !roleNodes[n.id]) return false;
    return true;
  }

  function compute() {
    var edgeOk = {}, roleNodes = {}, rolesOf = {};
    DATA.edges.forEach(function (e) {
      if (e.overlay) return;
      var yearOk = !yearNum() || (e.years || []).indexOf(yearNum()) >= 0;
      if (yearOk) {
        e.roles.forEach(function (r) {
          (rolesOf[e.from] = rolesOf[e.from] || {})[r] = true;
          (rolesOf[e.to] = rolesOf[e.to] || {})[r] = true;
        });
      }
      if (edgePasses(e)) { edgeOk[e.id] = true; roleNodes[e.from] = roleNodes[e.to] = true; }
    });
    var base = {};
    DATA.nodes.forEach(function (n) {
      if (passes(n, roleNodes) && (!n.outside || pulled[n.id])) base[n.id] = true;
    });
    function near(id) {
      return incident[id].filter(function (eid) { return edgeOk[eid]; }).map(function (eid) {
        var e = edgeById[eid];
        return e.from === id ? e.to : e.from;
      }).filter(function (m) { return base[m]; });
    }
    var keep = base;
    var query = fold(state.q.trim());
    matchSet = {};
    var matchCount = 0;
    if (query) {
      keep = {};
      DATA.nodes.forEach(function (n) {
        if (base[n.id] && fold(n.search).indexOf(query) >= 0) {
          matchCount += 1;
          matchSet[n.id] = true;
          keep[n.id] = true;
        }
      });
      Object.keys(matchSet).forEach(function (id) {
        near(id).forEach(function (m) { if (!matchSet[m]) matchSet[m] = "neighbour"; keep[m] = true; });
      });
    }
    if (state.focus) {
      var inFocus = {};
      inFocus[state.focus] = true;
      near(state.focus).forEach(function (m) { inFocus[m] = true; });
      var narrowed = {};
      Object.keys(keep).forEach(function (id) { if (inFocus[id]) narrowed[id] = true; });
      keep = narrowed;
    }
    // counts beside the menus' entries: nodes that pass the other menus and have the entry
    var counts = { sector: {}, type: {}, role: {} };
    DATA.nodes.forEach(function (n) {
      if (n.outside && !pulled[n.id]) return;
      if (passes(n, roleNodes, "sector")) {
        n.tops.forEach(function (s) { counts.sector[s] = (counts.sector[s] || 0) + 1; });
        if (n.sectorKey === "several" || n.sectorKey === "none")
          counts.sector[n.sectorKey] = (counts.sector[n.sectorKey] || 0) + 1;
      }
      if (passes(n, roleNodes, "type")) counts.type[n.typeCode] = (counts.type[n.typeCode] || 0) + 1;
      if (passes(n, roleNodes, "role"))
        Object.keys(rolesOf[n.id] || {}).forEach(function (r) { counts.role[r] = (counts.role[r] || 0) + 1; });
    });
    return { keep: keep, edgeOk: edgeOk, counts: counts, matchCount: matchCount };
  }

  // the left-out nodes shown around a focus or a search match: on rings around it (ring j at j
  // spacings, 6 j places), spaced by the node size in use, apart from every other shown node,
  // so its neighbourhood reads as one group (the index places them near their own summary node)
  function gather() {
    if (!OUT) return;
    var centres = state.focus && !hidden[state.focus] ? [state.focus]
      : shownIds.filter(function (id) { return matchSet[id] === true; });
    var moving = {}, order = [];
    centres.forEach(function (c) {
      adjacency[c].forEach(function (m) {
        if (byId[m].outside && !hidden[m] && !moving[m] && (state.focus || matchSet[m] !== true)) {
          moving[m] = c; order.push(m);
        }
      });
    });
    if (!order.length) return;
    var big = 0;
    shownIds.forEach(function (id) { big = Math.max(big, network.body.nodes[id].options.size); });
    var gap = 2 * big + 40, used = {}, pos = network.getPositions(shownIds);
    function take(x, y) {
      var k = Math.round(x / gap) + "," + Math.round(y / gap);
      (used[k] = used[k] || []).push([x, y]);
    }
    function near(x, y) {
      var gx = Math.round(x / gap), gy = Math.round(y / gap);
      for (var i = gx - 1; i <= gx + 1; i++) for (var j = gy - 1; j <= gy + 1; j++) {
        if ((used[i + "," + j] || []).some(function (o) {
          return (o[0] - x) * (o[0] - x) + (o[1] - y) * (o[1] - y) < gap * gap * 0.99;
        })) return true;
      }
      return false;
    }
    shownIds.forEach(function (id) { if (!moving[id]) take(pos[id].x, pos[id].y); });
    var cursor = {};
    order.forEach(function (id) {
      var c = pos[moving[id]], at = cursor[moving[id]] || [1, 0], x, y;
      do {
        if (at[1] >= 6 * at[0]) at = [at[0] + 1, 0];
        var angle = 2 * Math.PI * at[1] / (6 * at[0]) + 0.5 * at[0];
        x = Math.round(c.x + at[0] * gap * Math.cos(angle));
        y = Math.round(c.y + at[0] * gap * Math.sin(angle));
        at = [at[0], at[1] + 1];
      } while (near(x, y));
      cursor[moving[id]] = at;
      take(x, y);
      network.moveNode(id, x, y);
    });
    network.redraw();  // drawn now: a fit reads the nodes' boxes, which a drawing updates
  }

  var lastFitKey = null;
  function apply(opts) {
    opts = opts || {};
    pull();
    var result = compute();
    var nodeUpdates = [], edgeUpdates = [];
    shownIds = [];
    byRank.forEach(function (n) {
      var ok = !!result.keep[n.id];
      if (ok) shownIds.push(n.id);
      if (!!hidden[n.id] === ok) {
        hidden[n.id] = !ok;
        nodeUpdates.push({ id: n.id, hidden: !ok });
      }
    });
    DATA.edges.forEach(function (e) {
      var ok = !hidden[e.from] && !hidden[e.to] && (e.overlay ? edgePasses(e) : !!result.edgeOk[e.id]);
      if (!!edgeHidden[e.id] === ok) {
        edgeHidden[e.id] = !ok;
        edgeUpdates.push({ id: e.id, hidden: !ok });
      }
    });
    if (nodeUpdates.length) nodes.update(nodeUpdates);
    if (edgeUpdates.length) edges.update(edgeUpdates);
    gather();
    if (state.sel && hidden[state.sel]) state.sel = "";
    highlight(state.sel || null);
    updateControls(result);
    drawPanel();
    drawList();
    saveHash();
    var fitKey = shownIds.join("|");
    if (opts.refit && fitKey !== lastFitKey) {
      lastFitKey = fitKey;
      refit(opts.animate !== false);
    } else {
      placeLabels();
    }
  }

  // zoom to one node (a list row, a panel link): the view no longer frames the shown nodes, so
  // the next search, filter or focus fits it again even if it shows the same nodes
  function zoomTo(id) {
    lastFitKey = null;
    container.setAttribute("data-settled", "false");  // labels are placed when the zoom ends
    network.focus(id, { scale: Math.max(network.getScale(), 0.8), animation: { duration: 300 } });
  }
  var FIT_PAD = [70, 30];  // screen pixels around the fitted nodes: room for their labels
  function refit(animate) {
    container.setAttribute("data-settled", "false");
    if (!shownIds.length) { placeLabels(); return; }
    // the nodes' extent with room for labels around it (vis-network's fit reads label boxes that
    // a node moved out of view keeps from where it was drawn last)
    var pos = network.getPositions(shownIds), box = [Infinity, Infinity, -Infinity, -Infinity];
    shownIds.forEach(function (id) {
      var p = pos[id], r = network.body.nodes[id].options.size;
      box = [Math.min(box[0], p.x - r), Math.min(box[1], p.y - r), Math.max(box[2], p.x + r), Math.max(box[3], p.y + r)];
    });
    var room = [container.clientWidth - 2 * FIT_PAD[0], container.clientHeight - 2 * FIT_PAD[1]];
    var scale = Math.min(2, room[0] / Math.max(box[2] - box[0], 1), room[1] / Math.max(box[3] - box[1], 1));
    network.moveTo({ position: { x: (box[0] + box[2]) / 2, y: (box[1] + box[3]) / 2 }, scale: scale,
                     animation: animate ? { duration: 350, easingFunction: "easeInOutQuad" } : false });
    if (!animate) placeLabels();
  }
  network.on("animationFinished", placeLabels);
  var zoomTimer = null;
  network.on("zoom", function () {
    // labels follow the zoom once the wheel rests
    container.setAttribute("data-settled", "false");
    lastFitKey = null;
    clearTimeout(zoomTimer);
    zoomTimer = setTimeout(placeLabels, 150);
  });
  network.on("dragEnd", function (params) {
    lastFitKey = null;  // moved by hand: the next search, filter or focus fits again
    if (!params.nodes.length) placeLabels();
  });
  network.on("afterDrawing", function () {
    if (settlePending) {
      settlePending = false;
      settleCount += 1;
      container.setAttribute("data-settled", "true");
      container.setAttribute("data-settle-count", String(settleCount));
    }
  });

  function updateControls(result) {
    search.value = state.q;
    yearSelect.value = state.year;
    colourSelect.value = state.colour;
    sizeSelect.value = state.size;
    LIST_KEYS.forEach(function (key) {
      var menu = menus[key];
      menu.entries.forEach(function (entry) {
        entry.box.checked = state[key].indexOf(entry.value) >= 0;
        entry.count.textContent = String(result.counts[key][entry.value] || 0);
      });
      menu.groups.forEach(function (g) {
        if (!g.box) return;
        var on = g.items.filter(function (v) { return state[key].indexOf(v) >= 0; }).length;
        g.box.checked = on === g.items.length;
        g.box.indeterminate = on > 0 && on < g.items.length;
        g.count.textContent = String(g.items.reduce(function (sum, v) {
          return sum + (result.counts[key][v] || 0);
        }, 0));
      });
      menu.chosen.textContent = state[key].length ? "(" + state[key].length + ")" : "";
    });
    var text = "Showing " + shownIds.length + " of " + DATA.stats.total + " nodes";
    if (OUT) text += " (summarised view)";
    if (state.q.trim()) text += " · " + result.matchCount + (result.matchCount === 1 ? " match" : " matches");
    if (state.focus) text += " · around " + byId[state.focus].label;
    status.textContent = text;
    // legend counts follow what is shown
    var colourCounts = {}, shapeCounts = {};
    shownIds.forEach(function (id) {
      var k = byId[id].colorKeys[colourKey()], t = byId[id].colorKeys.type;
      colourCounts[k] = (colourCounts[k] || 0) + 1;
      shapeCounts[t] = (shapeCounts[t] || 0) + 1;
    });
    Object.keys(colourRows).forEach(function (k) { colourRows[k].textContent = String(colourCounts[k] || 0); });
    Object.keys(shapeRows).forEach(function (k) { shapeRows[k].textContent = String(shapeCounts[k] || 0); });
    if (DATA.legend.counts) totalNote.textContent = totalText();
  }
  // the legend's total: what is drawn now (nodes drawn from the index included), of the view's
  // nodes, and what narrows it; then the sentences that do not change
  function plural(n, word) { return n + " " + word + (n === 1 ? "" : "s"); }
  function totalText() {
    var c = DATA.legend.counts, kinds = { actor: 0, initiative: 0 }, why = [];
    shownIds.forEach(function (id) { kinds[byId[id].kind === "initiative" ? "initiative" : "actor"] += 1; });
    var text = plural(shownIds.length, "node") + " drawn = " + plural(kinds.actor, "actor") + " + " +
      plural(kinds.initiative, "initiative");
    if (state.q.trim()) why.push("search");
    if (state.sector.length || state.type.length || state.role.length) why.push("filters");
    if (yearNum()) why.push("year " + state.year);
    if (state.focus) why.push("around " + byId[state.focus].label);
    if (shownIds.length < c.inView || why.length) {
      text += ", of " + c.inView + " in this view" + (why.length ? " (" + why.join(", ") + ")" : OUT ? " (the summary)" : "");
    }
    return text + c.rest;
  }

  // ---- encodings -------------------------------------------------------------------------------
  var encoded = { colour: ENC.colourDefault, size: ENC.sizeDefault };
  function encode() {
    if (encoded.colour === colourKey() && encoded.size === state.size) return;
    var updates = DATA.nodes.map(function (n) {
      var c = n.colors[colourKey()];
      var ring = n.color.border !== n.color.background && n.borderWidth > 1;
      return {
        id: n.id,
        size: n.sizes[state.size],
        color: { background: c, border: ring ? n.color.border : c,
                 highlight: { background: c, border: "#111111" }, hover: { background: c, border: "#111111" } },
      };
    });
    encoded = { colour: colourKey(), size: state.size };
    nodes.update(updates);
  }

  // ---- selection: the clicked node and its neighbours at full strength, the rest pale ------------
  // A drawing state, not data: while a node is highlighted every node is drawn translucent and no
  // line is drawn, then the node's own lines and its neighbours are drawn on top at full strength.
  // A click thus costs one redraw of k lines and the nodes, whatever the graph's size; no node or
  // edge of the DataSets is touched. (vis-network internals used: body.edgeIndices, the lines a
  // frame draws, and body.nodes/edges[id].draw, as in the copy inlined from pyvis, vis-network 9.1.2.)
  var FADE = 0.2;
  var nearIds = [];
  var allEdges = null;

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
    network.body.emitter.emit("_requestRedraw");
  }
  function select(id) {
    state.sel = id || "";
    if (id) network.selectNodes([id], false); else network.unselectAll();
    highlight(id || null);
    drawPanel();
    markListRow();
    saveHash();
  }

  network.on("click", function (params) {
    select(params.nodes.length ? params.nodes[0] : null);
  });

  // ---- details panel --------------------------------------------------------------------------
  var panel = document.getElementById("panel");
  function link(id, text) {
    if (!byId[id]) return el("span", text);
    var a = el("a", text);
    a.href = "#";
    a.setAttribute("data-node", id);
    a.addEventListener("click", function (event) {
      event.preventDefault();
      if (hidden[id]) { state.focus = ""; state.q = ""; apply({ refit: false }); }
      if (!hidden[id]) { select(id); zoomTo(id); }
    });
    return a;
  }
  function section(title, items, render) {
    if (!items.length) return;
    panel.appendChild(el("h3", title));
    var ul = el("ul");
    items.forEach(function (item) { ul.appendChild(render(item)); });
    panel.appendChild(ul);
  }
  function drawPanel() {
    clear(panel);
    var id = state.sel;
    if (!id) {
      panel.appendChild(el("p", "Click a node, or a row below, to see its facts: type, sectors and " +
        "stages with their basis, memberships, sources, analysis results and neighbours.", "hint"));
      if (DATA.legend.findings.length) {
        var found = el("div");
        found.id = "findings";
        found.appendChild(el("h3", "What the analyses found"));
        DATA.legend.findings.forEach(function (f) {
          var item = el("p", null, "finding");
          item.appendChild(el("strong", f.title + ": "));
          item.appendChild(el("span", f.text));
          found.appendChild(item);
        });
        panel.appendChild(found);
      }
      return;
    }
    var n = byId[id], d = n.details;
    var head = el("div", null, "panel-head");
    head.appendChild(el("h2", n.label));
    var close = el("button", "×", "close");
    close.type = "button";
    close.title = "Close";
    close.addEventListener("click", function () { select(null); });
    head.appendChild(close);
    panel.appendChild(head);
    panel.appendChild(el("p", d.type + " · " + n.id, "kind"));
    if (n.outside) {
      if (d.memberships === null) d.memberships = indexMemberships(id);
      panel.appendChild(el("p", "Left out of the summarised view, drawn for the search or focus " +
        "from the page's index: its facts name their sources without the page or line, and its " +
        "analysis results are not carried" + (OUT.lineFacts ? "" : ", nor its memberships") +
        " (the page stays light). All of them: bioeco viz --focus " + n.id + " (or --all-nodes).",
        "hint index-note"));
    }
    var actions = el("p", null, "actions");
    var focusButton = el("button", state.focus === id ? "Show all again" : "Show only its neighbourhood");
    focusButton.type = "button";
    focusButton.id = "focus-button";
    focusButton.addEventListener("click", function () {
      state.focus = state.focus === id ? "" : id;
      apply({ refit: true });
    });
    actions.appendChild(focusButton);
    panel.appendChild(actions);
    if (d.aliases.length) panel.appendChild(el("p", "Also called: " + d.aliases.join("; ")));
    section("Classified as", d.classes, function (c) {
      var li = el("li", null, "fact");
      li.appendChild(el("span", c.scheme + ": ", "muted"));
      li.appendChild(el("span", c.label));
      if (c.basis) li.appendChild(el("span", " (" + c.basis + ")", "basis"));
      if (c.source) li.appendChild(el("span", c.source, "source"));
      return li;
    });
    section("Memberships", d.memberships, function (m) {
      var li = el("li", null, "fact");
      li.appendChild(el("span", m.side === "in" ? m.role + " of " : "has " + m.role.toLowerCase() + " "));
      li.appendChild(link(m.other, m.label));
      if (m.years) li.appendChild(el("span", " (" + m.years + ")", "basis"));
      li.appendChild(el("span", m.source, "source"));
      return li;
    });
    section("Named in", d.named, function (s) { return el("li", s, "source"); });
    section("Analysis results", d.analysis, function (r) {
      var li = el("li", null, "fact");
      li.appendChild(el("span", r.text));
      if (r.other && byId[r.other]) {
        li.appendChild(el("span", " "));
        li.appendChild(link(r.other, "→ show"));
      }
      return li;
    });
    var near = adjacency[id].slice().sort(function (a, b) { return byId[a].rank - byId[b].rank; });
    section("Neighbours (" + near.length + ")", near, function (m) {
      var li = el("li");
      li.appendChild(link(m, byId[m].label));
      return li;
    });
  }

  // ---- list of the nodes in view ---------------------------------------------------------------
  var LIST_MAX = 300;
  var listBody = document.querySelector("#list-table tbody");
  var listHead = document.querySelector("#list-table thead tr");
  var listNote = document.getElementById("list-note");
  var sortKey = "score", sortDown = true;
  var COLUMNS = [["name", "Name"], ["type", "Type"], ["sector", "Sector"], ["score", "Score"]];
  function scoreKey() { return state.size === "none" ? "degree" : state.size; }
  function cell(n, key) {
    if (key === "name") return n.label;
    if (key === "type") return n.details.type;
    if (key === "sector") return n.sectorLabel;
    var v = n.measures[scoreKey()];
    return v === undefined || v === null ? "" : v;
  }
  COLUMNS.forEach(function (c) {
    var th = el("th");
    var b = el("button", c[1]);
    b.type = "button";
    b.setAttribute("data-sort", c[0]);
    b.addEventListener("click", function () {
      if (sortKey === c[0]) sortDown = !sortDown; else { sortKey = c[0]; sortDown = c[0] === "score"; }
      drawList();
    });
    th.appendChild(b);
    listHead.appendChild(th);
  });
  function drawList() {
    var rows = shownIds.map(function (id) { return byId[id]; });
    rows.sort(function (a, b) {
      var x = cell(a, sortKey), y = cell(b, sortKey), r;
      if (typeof x === "number" || typeof y === "number") r = (+x || 0) - (+y || 0);
      else r = String(x).localeCompare(String(y));
      if (r === 0) r = a.rank - b.rank;
      return sortDown ? -r : r;
    });
    Array.prototype.forEach.call(listHead.querySelectorAll("button"), function (b) {
      var key = b.getAttribute("data-sort");
      b.setAttribute("aria-sort", key === sortKey ? (sortDown ? "descending" : "ascending") : "none");
      b.textContent = COLUMNS.filter(function (c) { return c[0] === key; })[0][1] +
        (key === sortKey ? (sortDown ? " ▼" : " ▲") : "");
    });
    clear(listBody);
    // one number format per column: three decimals for all when any value has a fraction
    var places = {};
    COLUMNS.forEach(function (c) {
      places[c[0]] = rows.some(function (n) {
        var v = cell(n, c[0]);
        return typeof v === "number" && Math.round(v) !== v;
      }) ? 3 : 0;
    });
    rows.slice(0, LIST_MAX).forEach(function (n) {
      var tr = el("tr");
      tr.setAttribute("data-node", n.id);
      COLUMNS.forEach(function (c) {
        var v = cell(n, c[0]);
        tr.appendChild(el("td", typeof v === "number" ? v.toFixed(places[c[0]]) : v));
      });
      tr.addEventListener("click", function () {
        select(n.id);
        zoomTo(n.id);
      });
      listBody.appendChild(tr);
    });
    var scoreName = ENC.size.filter(function (s) { return s.key === scoreKey(); })[0].label;
    listNote.textContent = rows.length + " nodes" + (rows.length > LIST_MAX ? " (first " + LIST_MAX + " shown)" : "") +
      " · score: " + scoreName;
    markListRow();
  }
  function markListRow() {
    Array.prototype.forEach.call(listBody.children, function (tr) {
      tr.className = tr.getAttribute("data-node") === state.sel ? "selected" : "";
    });
  }

  // ---- share and export ------------------------------------------------------------------------
  var linkBox = document.getElementById("link");
  document.getElementById("share").addEventListener("click", function () {
    saveHash();
    linkBox.value = location.href;
    linkBox.hidden = false;
    linkBox.select();
    if (navigator.clipboard && navigator.clipboard.writeText) navigator.clipboard.writeText(location.href).catch(function () {});
  });
  function download(name, blob) {
    var a = el("a");
    a.href = URL.createObjectURL(blob);
    a.download = name;
    document.body.appendChild(a);
    a.click();
    document.body.removeChild(a);
    setTimeout(function () { URL.revokeObjectURL(a.href); }, 1000);
  }
  document.getElementById("export-png").addEventListener("click", function () {
    var source = network.canvas.frame.canvas;
    var copy = document.createElement("canvas");
    copy.width = source.width;
    copy.height = source.height;
    var ctx = copy.getContext("2d");
    ctx.fillStyle = "#ffffff";
    ctx.fillRect(0, 0, copy.width, copy.height);
    ctx.drawImage(source, 0, 0);
    copy.toBlob(function (blob) { download("bioeco-view.png", blob); }, "image/png");
  });
  var SVG = "http://www.w3.org/2000/svg";
  function svgEl(tag, attrs, text) {
    var node = document.createElementNS(SVG, tag);
    Object.keys(attrs).forEach(function (k) { node.setAttribute(k, String(attrs[k])); });
    if (text !== undefined) node.textContent = text;
    return node;
  }
  var SIDES = { triangle: 3, triangleDown: 3, diamond: 4, square: 4, hexagon: 6 };
  function shapePoints(shape, x, y, r) {
    var k = SIDES[shape], pts = [];
    var start = shape === "triangleDown" ? Math.PI / 2 : shape === "square" ? Math.PI / 4 : shape === "hexagon" ? 0 : -Math.PI / 2;
    if (shape === "star") {
      for (var i = 0; i < 10; i++) {
        var a = -Math.PI / 2 + i * Math.PI / 5, rr = i % 2 ? r * 0.45 : r;
        pts.push((x + rr * Math.cos(a)).toFixed(1) + "," + (y + rr * Math.sin(a)).toFixed(1));
      }
      return pts.join(" ");
    }
    for (var j = 0; j < k; j++) {
      var b = start + j * 2 * Math.PI / k;
      pts.push((x + r * Math.cos(b)).toFixed(1) + "," + (y + r * Math.sin(b)).toFixed(1));
    }
    return pts.join(" ");
  }
  function viewSvg() {
    var ids = shownIds, pos = network.getPositions(ids);
    var xs = [], ys = [];
    ids.forEach(function (id) { xs.push(pos[id].x); ys.push(pos[id].y); });
    var pad = 60;
    var x0 = Math.min.apply(null, xs.concat([0])) - pad, y0 = Math.min.apply(null, ys.concat([0])) - pad;
    var w = Math.max.apply(null, xs.concat([0])) - x0 + pad, h = Math.max.apply(null, ys.concat([0])) - y0 + pad;
    var svg = svgEl("svg", { xmlns: SVG, viewBox: [x0, y0, w, h].map(Math.round).join(" "),
                             width: Math.round(w), height: Math.round(h), "font-family": "sans-serif" });
    svg.appendChild(svgEl("title", {}, DATA.title));
    svg.appendChild(svgEl("rect", { x: Math.round(x0), y: Math.round(y0), width: Math.round(w), height: Math.round(h), fill: "#ffffff" }));
    var lines = svgEl("g", { "stroke-linecap": "round" });
    DATA.edges.forEach(function (e) {
      if (edgeHidden[e.id]) return;
      var a = pos[e.from], b = pos[e.to];
      if (!a || !b) return;
      var attrs = { x1: a.x.toFixed(1), y1: a.y.toFixed(1), x2: b.x.toFixed(1), y2: b.y.toFixed(1),
                    stroke: e.color.color, "stroke-opacity": e.color.opacity, "stroke-width": e.width };
      if (e.dashes) attrs["stroke-dasharray"] = Array.isArray(e.dashes) ? e.dashes.join(" ") : "5 5";
      lines.appendChild(svgEl("line", attrs));
    });
    svg.appendChild(lines);
    var shapes = svgEl("g", {}), texts = svgEl("g", { "text-anchor": "middle", fill: "#222222" });
    ids.forEach(function (id) {
      var n = nodes.get(id), p = pos[id], r = n.size;
      var attrs = { fill: n.color.background, stroke: n.color.border, "stroke-width": n.borderWidth || 1 };
      var shape;
      if (n.shape === "dot") {
        attrs.cx = p.x.toFixed(1); attrs.cy = p.y.toFixed(1); attrs.r = r;
        shape = svgEl("circle", attrs);
      } else {
        attrs.points = shapePoints(n.shape, p.x, p.y, r);
        shape = svgEl("polygon", attrs);
      }
      shape.setAttribute("data-node", id);
      shape.appendChild(svgEl("title", {}, n.label));
      shapes.appendChild(shape);
      if (fontOf[id] && fontOf[id] > TINY_FONT) {
        texts.appendChild(svgEl("text", { x: p.x.toFixed(1), y: (p.y + r + 3 + fontOf[id]).toFixed(1),
          "font-size": fontOf[id], stroke: "#ffffff", "stroke-width": 3, "paint-order": "stroke" }, n.label));
      }
    });
    svg.appendChild(shapes);
    svg.appendChild(texts);
    return new XMLSerializer().serializeToString(svg);
  }
  document.getElementById("export-svg").addEventListener("click", function () {
    download("bioeco-view.svg", new Blob([viewSvg()], { type: "image/svg+xml" }));
  });

  // ---- wiring ----------------------------------------------------------------------------------
  search.addEventListener("input", function () {
    state.q = search.value;
    apply({ refit: true });
  });
  yearSelect.addEventListener("change", function () {
    state.year = yearSelect.value; encode(); drawColourLegend(); apply({ refit: true });
  });
  colourSelect.addEventListener("change", function () {
    state.colour = colourSelect.value; encode(); drawColourLegend(); apply({ refit: false });
  });
  sizeSelect.addEventListener("change", function () {
    state.size = sizeSelect.value; encode(); drawSizeLegend(); apply({ refit: false });
  });
  document.getElementById("reset").addEventListener("click", function () {
    state = { q: "", sector: [], type: [], role: [], year: "", focus: "", sel: "",
              colour: state.colour, size: state.size };
    select(null);
    encode();
    drawColourLegend();
    lastFitKey = null;
    apply({ refit: true });
  });
  window.addEventListener("hashchange", function () {
    fromHash(location.hash);
    encode(); drawColourLegend(); drawSizeLegend();
    apply({ refit: true });
  });

  function start() {
    fromHash(location.hash);
    encode();
    drawColourLegend();
    drawSizeLegend();
    apply({ refit: true, animate: false });
    if (state.sel) network.selectNodes([state.sel], false);
    document.body.setAttribute("data-ready", "true");
  }
  if (DATA.physics) {
    network.once("stabilizationIterationsDone", function () {
      network.setOptions({ physics: { enabled: false } });
      start();
    });
  } else {
    network.once("afterDrawing", start);
  }

  // for tests, notebooks and the curious: the live objects and what is visible
  window.bioecoViewer = {
    network: network,
    nodes: nodes,
    edges: edges,
    state: function () { return JSON.parse(JSON.stringify(state)); },
    visibleNodeIds: function () {
      return nodes.getIds({ filter: function (n) { return !n.hidden; } });
    },
    labelledIds: function () {
      return Object.keys(fontOf).filter(function (id) { return fontOf[id] > TINY_FONT && !hidden[id]; });
    },
    highlighted: function () { return highlighted; },
    faded: function (id) { return highlighted !== null && nearIds.indexOf(id) < 0; },
    neighbours: function (id) { return adjacency[id].slice(); },
    svg: viewSvg,
  };
})();
