// Types of simplify-geo.mjs (read by dashboard/src/map/simplify-geo.spec.ts).
export type Position = number[];
export interface Geometry {
  type: string;
  coordinates: unknown;
}
export interface Feature {
  type: 'Feature';
  id?: string | number;
  properties: Record<string, unknown>;
  geometry: Geometry | null;
}
export interface FeatureCollection {
  type: 'FeatureCollection';
  features: Feature[];
}
export function douglasPeucker(points: Position[], tolerance: number): Position[];
export function simplifyFeatureCollection<T extends FeatureCollection>(geo: T, tolerance: number): T;
export function countPoints(geo: { features: Feature[] }): number;
