// The words the page shows, each with its box, for the reading loss (never shown to a policy).
// Called as page.evaluate(<this function>, opts) with the opts of dom.js (clip, scale, skip;
// viewport coordinates) plus max_words. Returns [[word, left, top, width, height], ...] in
// image pixels, document order: every run of non-space characters of a text node whose first
// line box has its centre inside the image and is not covered by another element there.
(opts) => {
  const [cl, ct, cw, ch] = opts.clip;
  const [sx, sy] = opts.scale;
  const skip = (opts.skip || []).map((id) => "#" + id).join(",");
  const out = [];
  const walker = document.createTreeWalker(document.body, NodeFilter.SHOW_TEXT);
  const range = document.createRange();
  for (let n = walker.nextNode(); n && out.length < opts.max_words; n = walker.nextNode()) {
    const el = n.parentElement;
    if (!el || el.closest("script,style,noscript") || (skip && el.closest(skip))) continue;
    const re = /\S+/g;
    let m;
    while ((m = re.exec(n.data)) !== null && out.length < opts.max_words) {
      range.setStart(n, m.index);
      range.setEnd(n, m.index + m[0].length);
      const r = range.getClientRects()[0];  // a word broken over two lines: its first part
      if (!r || r.width < 1 || r.height < 1) continue;
      const x = r.left + r.width / 2, y = r.top + r.height / 2;
      if (x < cl || y < ct || x >= cl + cw || y >= ct + ch) continue;
      const top = document.elementFromPoint(x, y);
      if (!top || !(top === el || el.contains(top) || top.contains(el))) continue;
      out.push([m[0], (r.left - cl) * sx, (r.top - ct) * sy, r.width * sx, r.height * sy]);
    }
  }
  return out;
}
