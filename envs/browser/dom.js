// Snapshot of the page's elements for experts and metrics (never shown to a policy).
// Called as page.evaluate(<this function>, opts) with
//   opts = {clip: [left, top, width, height] (page px of the image), scale: [sx, sy]
//           (image px per page px), skip: [ids to leave out], max: element cap, epoch: int,
//           page_coords: bool (bbox from the document origin instead of the viewport)}.
// Returns a flat list in document order; `ref` is stable within an episode (epoch).
(opts) => {
  const [cl, ct, cw, ch] = opts.clip;
  const [sx, sy] = opts.scale;
  const skip = new Set(opts.skip || []);
  const ox = opts.page_coords ? window.scrollX : 0;
  const oy = opts.page_coords ? window.scrollY : 0;
  const ATTRS = ["fill", "stroke", "href", "name", "placeholder", "title", "for", "role",
                 "aria-label", "alt", "src", "x", "y", "cx", "cy", "r", "width", "height",
                 "points", "d", "transform"];
  if (window.__vlaEpoch !== opts.epoch) { window.__vlaEpoch = opts.epoch; window.__vlaNext = 0; }
  const out = [];
  const active = document.activeElement;
  const squash = (s) => s.replace(/\s+/g, " ").trim();

  function refOf(el) {
    if (el.__vlaEpoch !== opts.epoch) { el.__vlaEpoch = opts.epoch; el.__vlaRef = window.__vlaNext++; }
    return el.__vlaRef;
  }

  function ownText(el) {
    if (el.children.length === 0) return squash(el.textContent || "");
    let t = "";
    for (const n of el.childNodes) if (n.nodeType === 3) t += " " + n.data;
    return squash(t);
  }

  function walk(el, parent, vis) {  // vis = [l, t, r, b] viewport rect not clipped by ancestors
    if (out.length >= opts.max || (el.id && skip.has(el.id))) return;
    const r = el.getBoundingClientRect();
    const cs = window.getComputedStyle(el);
    const shown = cs.display !== "none" && cs.visibility !== "hidden" && parseFloat(cs.opacity) > 0;
    const l = Math.max(r.left, vis[0]), t = Math.max(r.top, vis[1]);
    const rr = Math.min(r.right, vis[2]), bb = Math.min(r.bottom, vis[3]);
    const inImage = rr > Math.max(l, cl - ox) && bb > Math.max(t, ct - oy)
                    && l < cl - ox + cw && t < ct - oy + ch;
    const tag = el.tagName.toLowerCase();
    const attrs = {};
    for (const a of ATTRS) { const v = el.getAttribute(a); if (v !== null) attrs[a] = v; }
    for (const a of el.attributes) if (a.name.startsWith("data-") && !a.name.startsWith("data-wob")) attrs[a.name] = a.value;
    if (el instanceof SVGElement) {
      if (attrs.fill === undefined && cs.fill) attrs.fill = cs.fill;
      if (attrs.stroke === undefined && cs.stroke) attrs.stroke = cs.stroke;
    }
    const isInput = el instanceof HTMLInputElement;
    const boxes = el.getClientRects();
    const rects = boxes.length > 1
      ? Array.from(boxes, (q) => [(q.left + ox - cl) * sx, (q.top + oy - ct) * sy, q.width * sx, q.height * sy])
      : [];
    const ref = refOf(el);
    out.push({
      ref: ref, parent: parent, tag: tag, id: el.id || "",
      classes: (el.getAttribute("class") || "").trim(),
      text: ownText(el),
      value: ("value" in el && typeof el.value === "string") ? el.value : null,
      type: isInput || el instanceof HTMLButtonElement ? el.type : null,
      bbox: [(r.left + ox - cl) * sx, (r.top + oy - ct) * sy, r.width * sx, r.height * sy],
      rects: rects,
      visible: shown && r.width > 0 && r.height > 0 && inImage,
      focused: el === active,
      checked: !!(el.checked || (el instanceof HTMLOptionElement && el.selected)),
      disabled: !!el.disabled,
      bg_color: cs.backgroundColor, color: cs.color, attrs: attrs,
      // Content larger than the box by more than a pixel: a scrolling area, or a panel that is
      // still opening or closing (its height animates while its content keeps its own).
      clipped: shown && (el.scrollHeight > el.clientHeight + 1 || el.scrollWidth > el.clientWidth + 1),
    });
    let inner = vis;
    if (cs.overflowX !== "visible" || cs.overflowY !== "visible") {
      inner = [Math.max(vis[0], r.left), Math.max(vis[1], r.top),
               Math.min(vis[2], r.right), Math.min(vis[3], r.bottom)];
    }
    if (!shown && cs.display === "none") inner = [0, 0, 0, 0];
    for (const c of el.children) walk(c, ref, inner);
  }
  const big = 1e9;
  walk(document.body, null, [-big, -big, big, big]);
  return out;
}
