// simplify-geo.mjs — Douglas–Peucker simplification of a GeoJSON FeatureCollection of polygons
// that keeps shared borders shared (pure; used by simplify-guiyang-map.mjs, tested by
// dashboard/src/map/simplify-geo.spec.ts).
//
// Neighbouring regions in the map file share their border points exactly. Simplifying each ring on
// its own would drop different points on the two sides of a border (slivers and gaps between
// districts). So the rings are first cut into arcs at their junctions: a point is a junction when
// it has other than two distinct neighbours over all rings (where three regions meet, where a border
// leaves the outline, a ring touching itself). Between two junctions both sides of a border walk
// the same points, so each arc is simplified once, in one canonical direction, and every ring that
// holds it gets the same result. A ring without a junction (an island, the city's only ring) is a
// loop: it keeps its first point and the point farthest from it, so it never collapses below a
// triangle. Only points of the input are kept; endpoints of arcs always are.

/** @param {number[]} p @param {number[]} a @param {number[]} b */
function distToSegment(p, a, b) {
  const dx = b[0] - a[0];
  const dy = b[1] - a[1];
  const len2 = dx * dx + dy * dy;
  if (len2 === 0) return Math.hypot(p[0] - a[0], p[1] - a[1]);
  const t = Math.max(0, Math.min(1, ((p[0] - a[0]) * dx + (p[1] - a[1]) * dy) / len2));
  return Math.hypot(p[0] - (a[0] + t * dx), p[1] - (a[1] + t * dy));
}

/** Douglas–Peucker on an open polyline; keeps both ends. */
export function douglasPeucker(points, tolerance) {
  if (points.length <= 2) return points.slice();
  const keep = new Uint8Array(points.length);
  keep[0] = keep[points.length - 1] = 1;
  const stack = [[0, points.length - 1]];
  while (stack.length) {
    const [first, last] = stack.pop();
    let worst = -1;
    let index = -1;
    for (let i = first + 1; i < last; i++) {
      const d = distToSegment(points[i], points[first], points[last]);
      if (d > worst) {
        worst = d;
        index = i;
      }
    }
    if (index !== -1 && worst > tolerance) {
      keep[index] = 1;
      stack.push([first, index], [index, last]);
    }
  }
  return points.filter((_, i) => keep[i]);
}

const key = (p) => `${p[0]},${p[1]}`;

function polygonsOf(geometry) {
  if (geometry?.type === 'Polygon') return [geometry.coordinates];
  if (geometry?.type === 'MultiPolygon') return geometry.coordinates;
  return [];
}

/** Open ring: the closed ring without its repeated last point. */
const open = (ring) => (ring.length > 1 && key(ring[0]) === key(ring[ring.length - 1]) ? ring.slice(0, -1) : ring.slice());

/** Simplifies an arc the same way whichever direction it is walked. */
function simplifyArc(arc, tolerance, cache) {
  const forward = arc.map(key).join(';');
  const backward = arc.map(key).reverse().join(';');
  const canonical = forward <= backward;
  const id = canonical ? forward : backward;
  let out = cache.get(id);
  if (!out) {
    out = douglasPeucker(canonical ? arc : arc.slice().reverse(), tolerance);
    cache.set(id, out);
  }
  return canonical ? out : out.slice().reverse();
}

/**
 * Returns a copy of `geo` with every Polygon/MultiPolygon ring simplified to `tolerance` (in the
 * coordinates' units), shared borders kept shared, rings closed. Other geometries are copied as they are.
 */
export function simplifyFeatureCollection(geo, tolerance) {
  // Distinct neighbours of each point over all rings.
  const neighbours = new Map();
  const link = (a, b) => {
    const ka = key(a);
    const kb = key(b);
    if (ka === kb) return;
    if (!neighbours.has(ka)) neighbours.set(ka, new Set());
    neighbours.get(ka).add(kb);
  };
  for (const f of geo.features) {
    for (const poly of polygonsOf(f.geometry)) {
      for (const ring of poly) {
        const r = open(ring);
        for (let i = 0; i < r.length; i++) {
          const next = r[(i + 1) % r.length];
          link(r[i], next);
          link(next, r[i]);
        }
      }
    }
  }
  const isJunction = (p) => (neighbours.get(key(p))?.size ?? 0) !== 2;
  const cache = new Map();

  function simplifyRing(ring) {
    const r = open(ring);
    if (r.length < 4) return ring.map((p) => p.slice());
    const cuts = [];
    for (let i = 0; i < r.length; i++) if (isJunction(r[i])) cuts.push(i);
    let out;
    if (cuts.length === 0) {
      // A loop: cut at its first point and at the point farthest from it.
      let far = 1;
      let best = -1;
      for (let i = 1; i < r.length; i++) {
        const d = Math.hypot(r[i][0] - r[0][0], r[i][1] - r[0][1]);
        if (d > best) {
          best = d;
          far = i;
        }
      }
      const a = douglasPeucker(r.slice(0, far + 1), tolerance);
      const b = douglasPeucker([...r.slice(far), r[0]], tolerance);
      out = [...a, ...b.slice(1)];
    } else {
      // Rotate to start at a junction, then walk arc by arc.
      const start = cuts[0];
      const rot = [...r.slice(start), ...r.slice(0, start)];
      const at = cuts.map((c) => c - start);
      at.push(rot.length);
      out = [];
      for (let j = 0; j + 1 < at.length; j++) {
        const arc = rot.slice(at[j], at[j + 1] + 1);
        if (at[j + 1] === rot.length) arc.push(rot[0]); // the last arc ends where the ring began
        const s = simplifyArc(arc, tolerance, cache);
        out.push(...(j === 0 ? s : s.slice(1)));
      }
    }
    if (key(out[0]) !== key(out[out.length - 1])) out.push(out[0]);
    // A ring cut into two straight arcs would collapse; keep it as it was.
    if (out.length < 4) return ring.map((p) => p.slice());
    return out.map((p) => p.slice());
  }

  const features = geo.features.map((f) => {
    const g = f.geometry;
    let geometry = g;
    if (g?.type === 'Polygon') geometry = { type: 'Polygon', coordinates: g.coordinates.map(simplifyRing) };
    else if (g?.type === 'MultiPolygon') geometry = { type: 'MultiPolygon', coordinates: g.coordinates.map((p) => p.map(simplifyRing)) };
    return { ...f, geometry };
  });
  return { ...geo, features };
}

/** Points over all rings of a FeatureCollection (closing points included). */
export function countPoints(geo) {
  let n = 0;
  for (const f of geo.features) for (const poly of polygonsOf(f.geometry)) for (const ring of poly) n += ring.length;
  return n;
}
