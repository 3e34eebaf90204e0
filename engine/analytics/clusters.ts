import { createRequire } from 'node:module';
import { and, eq, sql } from 'drizzle-orm';
import { z } from 'zod';
import type { Db } from '../../db';
import { contactClusters, contacts, rfmScores } from '../../db/schema';
import { saveResult } from './results';
import { inSegment } from './segment-filter';
import { numberAt } from './settings';

export const clusterOptionsSchema = z.object({
  k: z
    .number()
    .int()
    .min(2)
    .max(20)
    .optional()
    .describe('Number of clusters; suggested by silhouette when absent'),
  maxK: z.number().int().min(2).max(20).default(8).describe('Largest k tried when suggesting'),
  attributes: z
    .array(z.string().min(1))
    .max(10)
    .default([])
    .describe('Numeric contact attributes added to R, F, M'),
  seed: z.number().int().default(42),
  restarts: z.number().int().min(1).max(50).default(10),
});
export type ClusterOptions = z.input<typeof clusterOptionsSchema>;

export interface Clustering {
  k: number;
  assignments: number[];
  /** Centroids in the features' own units. */
  centroids: number[][];
  inertia: number;
  /** Mean silhouette of the chosen k and of every k tried. */
  silhouette: number;
  silhouetteByK: { k: number; silhouette: number }[];
}

/** z-scores per column (a constant column stays 0). */
export function standardise(points: number[][]): { scaled: number[][]; mean: number[]; sd: number[] } {
  const d = points[0]?.length ?? 0;
  const mean = Array.from({ length: d }, (_, j) => points.reduce((s, p) => s + p[j], 0) / points.length);
  const sd = mean.map(
    (m, j) => Math.sqrt(points.reduce((s, p) => s + (p[j] - m) ** 2, 0) / points.length) || 1,
  );
  return { scaled: points.map((p) => p.map((v, j) => (v - mean[j]) / sd[j])), mean, sd };
}

const dist2 = (a: number[], b: number[]) => a.reduce((s, v, i) => s + (v - b[i]) ** 2, 0);

/** Mean silhouette, on an evenly spaced sample of at most `limit` points (it is quadratic). */
export function silhouette(points: number[][], assignments: number[], k: number, limit = 2000): number {
  const step = Math.max(1, Math.ceil(points.length / limit));
  const idx = points.map((_, i) => i).filter((i) => i % step === 0);
  let total = 0;
  for (const i of idx) {
    const sums = new Array<number>(k).fill(0);
    const counts = new Array<number>(k).fill(0);
    for (const j of idx) {
      if (i === j) continue;
      sums[assignments[j]] += Math.sqrt(dist2(points[i], points[j]));
      counts[assignments[j]] += 1;
    }
    const own = assignments[i];
    if (counts[own] === 0) continue;
    const a = sums[own] / counts[own];
    let b = Number.POSITIVE_INFINITY;
    for (let c = 0; c < k; c++) if (c !== own && counts[c] > 0) b = Math.min(b, sums[c] / counts[c]);
    if (Number.isFinite(b)) total += (b - a) / Math.max(a, b);
  }
  return total / idx.length;
}

/** ml-kmeans (and its matrix library) is loaded on the first clustering, not at start. */
const load = createRequire(import.meta.url);
let kmeansModule: typeof import('ml-kmeans') | undefined;

/** K-means++ with `restarts` seeds (seed, seed+1, ...), keeping the lowest inertia. */
function bestOfRestarts(points: number[][], k: number, seed: number, restarts: number) {
  let best: { assignments: number[]; centroids: number[][]; inertia: number } | undefined;
  for (let i = 0; i < restarts; i++) {
    kmeansModule ??= load('ml-kmeans') as typeof import('ml-kmeans');
    const result = kmeansModule.kmeans(points, k, {
      initialization: 'kmeans++',
      seed: seed + i,
      maxIterations: 300,
    });
    const inertia = points.reduce((s, p, n) => s + dist2(p, result.centroids[result.clusters[n]]), 0);
    if (!best || inertia < best.inertia)
      best = { assignments: result.clusters, centroids: result.centroids, inertia };
  }
  return best as NonNullable<typeof best>;
}

/**
 * Clusters on standardised features; k is the user's or the one with the best mean silhouette
 * in 2..maxK. Clusters are renumbered by size (0 = largest) so the numbering is stable.
 */
export function clusterPoints(
  points: number[][],
  options: { k?: number; maxK: number; seed: number; restarts: number },
  onStep: (done: number, total: number) => void = () => {},
): Clustering {
  const { scaled, mean, sd } = standardise(points);
  const candidates = options.k
    ? [options.k]
    : Array.from({ length: Math.min(options.maxK, points.length - 1) - 1 }, (_, i) => i + 2);
  const tried = candidates.map((k, i) => {
    const run = bestOfRestarts(scaled, k, options.seed, options.restarts);
    onStep(i + 1, candidates.length);
    return { k, run, silhouette: silhouette(scaled, run.assignments, k) };
  });
  const chosen = tried.reduce((a, b) => (b.silhouette > a.silhouette ? b : a));
  const sizes = new Array<number>(chosen.k).fill(0);
  for (const c of chosen.run.assignments) sizes[c] += 1;
  const order = sizes.map((_, c) => c).sort((a, b) => sizes[b] - sizes[a] || a - b);
  const rename = new Map(order.map((c, i) => [c, i]));
  return {
    k: chosen.k,
    assignments: chosen.run.assignments.map((c) => rename.get(c) as number),
    centroids: order.map((c) => chosen.run.centroids[c].map((v, j) => v * sd[j] + mean[j])),
    inertia: chosen.run.inertia,
    silhouette: chosen.silhouette,
    silhouetteByK: tried.map((t) => ({ k: t.k, silhouette: t.silhouette })),
  };
}

/** Clusters the contacts with RFM scores on recency, frequency, monetary and the chosen attributes. */
export async function refreshClusters(
  db: Db,
  workspaceId: string,
  input: ClusterOptions = {},
  progress: (done: number, total: number) => void = () => {},
  jobId?: string,
) {
  const options = clusterOptionsSchema.parse(input);
  const attributes = options.attributes.map((a) => numberAt(sql`${contacts.attributes}`, a));
  const rows = await db
    .select({
      contactId: rfmScores.contactId,
      features: sql<(number | null)[]>`array[${sql.join(
        [
          sql`${rfmScores.recencyDays}`,
          sql`${rfmScores.frequency}::double precision`,
          sql`${rfmScores.monetary}`,
          ...attributes,
        ],
        sql`, `,
      )}]::double precision[]`,
    })
    .from(rfmScores)
    .innerJoin(contacts, eq(contacts.id, rfmScores.contactId))
    .where(eq(rfmScores.workspaceId, workspaceId))
    .orderBy(rfmScores.contactId);
  const usable = rows.filter((r) => r.features.every((v) => v !== null && Number.isFinite(Number(v))));
  const features = ['recency_days', 'frequency', 'monetary', ...options.attributes];
  if (usable.length < 3) {
    await db.delete(contactClusters).where(eq(contactClusters.workspaceId, workspaceId));
    return saveClusterResult(db, workspaceId, options, features, [], null, jobId);
  }
  const points = usable.map((r) => r.features.map(Number));
  const clustering = clusterPoints(
    points,
    { ...options, k: options.k && Math.min(options.k, points.length - 1) },
    progress,
  );
  const computedAt = new Date();
  await db.transaction(async (tx) => {
    await tx.delete(contactClusters).where(eq(contactClusters.workspaceId, workspaceId));
    for (let i = 0; i < usable.length; i += 1000) {
      await tx.insert(contactClusters).values(
        usable.slice(i, i + 1000).map((r, n) => ({
          workspaceId,
          contactId: r.contactId,
          cluster: clustering.assignments[i + n],
          computedAt,
        })),
      );
    }
  });
  const profiles = clustering.centroids.map((centroid, cluster) => {
    const members = points.filter((_, n) => clustering.assignments[n] === cluster);
    return {
      cluster,
      size: members.length,
      means: Object.fromEntries(features.map((f, j) => [f, centroid[j]])),
      revenue: members.reduce((s, p) => s + p[2], 0),
    };
  });
  return saveClusterResult(db, workspaceId, options, features, profiles, clustering, jobId);
}

async function saveClusterResult(
  db: Db,
  workspaceId: string,
  options: z.infer<typeof clusterOptionsSchema>,
  features: string[],
  profiles: unknown[],
  clustering: Clustering | null,
  jobId?: string,
) {
  const saved = await saveResult(
    db,
    workspaceId,
    'clusters',
    options,
    {
      features,
      k: clustering?.k ?? 0,
      inertia: clustering?.inertia ?? null,
      silhouette: clustering?.silhouette ?? null,
      silhouetteByK: clustering?.silhouetteByK ?? [],
      profiles,
    },
    jobId,
  );
  return { ...saved.result, computedAt: saved.computedAt };
}

/**
 * How one segment's members spread over the stored clusters: members and their revenue (RFM
 * monetary) per cluster, to read the clusters of a segment without refitting them.
 */
export async function clusterSpreadOfSegment(db: Db, workspaceId: string, segmentId: string) {
  const rows = await db
    .select({
      cluster: contactClusters.cluster,
      members: sql<number>`count(*)::int`,
      revenue: sql<number>`coalesce(sum(${rfmScores.monetary}), 0)::double precision`,
    })
    .from(contactClusters)
    .leftJoin(
      rfmScores,
      and(
        eq(rfmScores.workspaceId, contactClusters.workspaceId),
        eq(rfmScores.contactId, contactClusters.contactId),
      ),
    )
    .where(
      and(
        eq(contactClusters.workspaceId, workspaceId),
        sql`true ${inSegment(workspaceId, segmentId, sql`${contactClusters.contactId}`)}`,
      ),
    )
    .groupBy(contactClusters.cluster)
    .orderBy(contactClusters.cluster);
  return rows.map((r) => ({ cluster: r.cluster, members: Number(r.members), revenue: Number(r.revenue) }));
}
