// nginx hash table sizes for what kongc generates: map keys (route
// host names live in the virtual-host map) and the variables table. Emitted only when
// nginx's defaults would fail, because a main nginx.conf may set them too (duplicates are fatal).
import type { NginxPlan } from './ir.js';

/** nginx's default bucket size is the CPU cache line: 64 bytes on x86_64 and most arm64. */
const DEFAULT_BUCKET = 64;
const DEFAULT_MAP_MAX = 2048;
const DEFAULT_VARIABLES_MAX = 1024;

/** NGX_HASH_ELT_SIZE + sizeof(void*) on 64-bit: what one key needs in a bucket. */
function bucketNeed(keyBytes: number): number {
  return Math.ceil((8 + keyBytes + 2) / 8) * 8 + 8;
}

function pow2AtLeast(n: number): number {
  let p = DEFAULT_BUCKET;
  while (p < n) p *= 2;
  return p;
}

export function computeHashSizes(plan: NginxPlan): NginxPlan['hashSizes'] {
  // One pass, no spread: `Math.max(...list)` throws past ~100,000 arguments.
  let longestKey = 0;
  let largestMap = 0;
  for (const m of plan.maps) {
    if (m.entries.length > largestMap) largestMap = m.entries.length;
    if (m.includeStats) {
      largestMap = Math.max(largestMap, m.entries.length + m.includeStats.entries);
      longestKey = Math.max(longestKey, m.includeStats.longestKey);
    }
    for (const e of m.entries) if (e.match === 'exact') longestKey = Math.max(longestKey, Buffer.byteLength(e.key));
  }
  // nginx's own variables (~150) share the table with one variable per generated map. A 64-byte
  // bucket holds one `kongc_route_123`-long name, so nginx needs a table size (of the last 1,000
  // below the maximum it tries) where no two names share a bucket: with its defaults it warns
  // "could not build optimal variables_hash" from ~150 generated maps on. 128 bytes hold three.
  const variables = plan.maps.length + 200;
  // A name over 18 bytes takes a 64-byte bucket alone (plugin maps are named per instance and
  // header: kongc_cors_<instance>_acao): with the ~20 long names kongc always declares, nginx warns
  // with its defaults from 20-30 of them (measured with nginx 1.22).
  let longNames = 0;
  for (const m of plan.maps) if (m.variable.length > 18) longNames++;
  const manyVariables = plan.maps.length > 64 || longNames > 12;
  // A large map (consumer ids, keys, routes' escape stops) is built without collisions only when a
  // bucket holds a few of its keys: nginx warns "could not build optimal map_hash" with one 36-byte
  // key per bucket, from a few hundred keys on.
  const large = largestMap > DEFAULT_MAP_MAX / 8;
  const largeBucket = large && bucketNeed(longestKey) * 4 > DEFAULT_BUCKET ? pow2AtLeast(bucketNeed(longestKey) * 4) : 0;
  return {
    mapBucket: Math.max(largeBucket, bucketNeed(longestKey) > DEFAULT_BUCKET ? pow2AtLeast(bucketNeed(longestKey)) : 0),
    mapMax: large ? pow2AtLeast(largestMap * 4) : 0,
    variablesBucket: manyVariables ? 2 * DEFAULT_BUCKET : 0,
    variablesMax: manyVariables ? pow2AtLeast(Math.max(variables * 4, 2 * DEFAULT_VARIABLES_MAX)) : 0,
  };
}
