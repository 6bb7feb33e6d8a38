/**
 * The anomaly rule. A key's baseline is the mean and (sample) standard deviation of its previous
 * window means (up to `baselineWindows` of them, isolated anomalies left out so that one spike
 * does not hide the next: see LEVEL_SHIFT_RUN in aggregates.ts). A window is anomalous when its mean is too many standard deviations
 * away: z = (mean − baseline mean) / baseline sd.
 *
 * `zScoreThreshold` sets the false-alarm rate: 3 means "as rare as 3 standard deviations of a
 * normal distribution" (0.27 % of ordinary windows, two-sided). With a short baseline the sample
 * sd is itself uncertain and plain |z| ≥ 3 would fire on about 12 % of ordinary windows when the
 * baseline has 3 windows (1.9 % with 10). So the threshold is applied as the prediction interval
 * of the next window: |z| ≥ t(n − 1) · √(1 + 1/n), the Student-t quantile with the same tail
 * probability. With 30 windows a threshold of 3 becomes 3.33; with 10, 4.29; with 3, 22.2: a key
 * needs a few windows before anything short of a huge jump is reported. No window is judged
 * before the key has MIN_BASELINE_WINDOWS.
 */
export const MIN_BASELINE_WINDOWS = 3;

export interface Baseline {
  windows: number;
  mean: number;
  stdDev: number;
}

export type Verdict =
  | { judged: false; reason: 'warming-up'; baseline?: Baseline }
  | { judged: true; anomaly: boolean; zScore: number; criticalZ: number; baseline: Baseline };

export function baselineOf(means: readonly number[]): Baseline | undefined {
  const n = means.length;
  if (n === 0) return undefined;
  const mean = means.reduce((sum, x) => sum + x, 0) / n;
  const variance = n > 1 ? means.reduce((sum, x) => sum + (x - mean) ** 2, 0) / (n - 1) : 0;
  return { windows: n, mean, stdDev: Math.sqrt(variance) };
}

/** How far from the baseline a window's mean must be, in baseline standard deviations. */
export function criticalZ(zScoreThreshold: number, baselineWindows: number): number {
  const n = baselineWindows;
  const upperTail = erfc(zScoreThreshold / Math.SQRT2) / 2;
  return studentTUpperQuantile(upperTail, n - 1) * Math.sqrt(1 + 1 / n);
}

export function judge(windowMean: number, previousMeans: readonly number[], zScoreThreshold: number): Verdict {
  const baseline = baselineOf(previousMeans);
  if (!baseline || baseline.windows < MIN_BASELINE_WINDOWS) return { judged: false, reason: 'warming-up', ...(baseline ? { baseline } : {}) };
  // A perfectly flat baseline has sd 0: any change is then anomalous, with a large but finite z.
  const sd = Math.max(baseline.stdDev, Math.abs(baseline.mean) * 1e-9, 1e-12);
  const zScore = (windowMean - baseline.mean) / sd;
  const critical = criticalZ(zScoreThreshold, baseline.windows);
  return { judged: true, anomaly: Math.abs(zScore) >= critical, zScore, criticalZ: critical, baseline };
}

/** Complementary error function, fractional error below 1.2e-7 everywhere (Numerical Recipes' erfcc). */
export function erfc(x: number): number {
  const z = Math.abs(x);
  const t = 1 / (1 + 0.5 * z);
  const r =
    t *
    Math.exp(
      -z * z -
        1.26551223 +
        t * (1.00002368 + t * (0.37409196 + t * (0.09678418 + t * (-0.18628806 + t * (0.27886807 + t * (-1.13520398 + t * (1.48851587 + t * (-0.82215223 + t * 0.17087277)))))))),
    );
  return x >= 0 ? r : 2 - r;
}

function logGamma(x: number): number {
  // Lanczos approximation (g = 7, n = 9), accurate to ~1e-15 for x > 0.5.
  const c = [0.99999999999980993, 676.5203681218851, -1259.1392167224028, 771.32342877765313, -176.61502916214059, 12.507343278686905, -0.13857109526572012, 9.9843695780195716e-6, 1.5056327351493116e-7];
  if (x < 0.5) return Math.log(Math.PI / Math.abs(Math.sin(Math.PI * x))) - logGamma(1 - x);
  const y = x - 1;
  let a = c[0] as number;
  const t = y + 7.5;
  for (let i = 1; i < 9; i++) a += (c[i] as number) / (y + i);
  return 0.5 * Math.log(2 * Math.PI) + (y + 0.5) * Math.log(t) - t + Math.log(a);
}

/** Continued fraction for the incomplete beta function (modified Lentz). */
function betaContinuedFraction(a: number, b: number, x: number): number {
  const tiny = 1e-300;
  let c = 1;
  let d = 1 - ((a + b) * x) / (a + 1);
  if (Math.abs(d) < tiny) d = tiny;
  d = 1 / d;
  let h = d;
  for (let m = 1; m <= 500; m++) {
    const m2 = 2 * m;
    let aa = (m * (b - m) * x) / ((a + m2 - 1) * (a + m2));
    d = 1 + aa * d;
    if (Math.abs(d) < tiny) d = tiny;
    c = 1 + aa / c;
    if (Math.abs(c) < tiny) c = tiny;
    d = 1 / d;
    h *= d * c;
    aa = (-(a + m) * (a + b + m) * x) / ((a + m2) * (a + m2 + 1));
    d = 1 + aa * d;
    if (Math.abs(d) < tiny) d = tiny;
    c = 1 + aa / c;
    if (Math.abs(c) < tiny) c = tiny;
    d = 1 / d;
    const step = d * c;
    h *= step;
    if (Math.abs(step - 1) < 1e-15) break;
  }
  return h;
}

/** The regularized incomplete beta function I_x(a, b). */
export function incompleteBeta(x: number, a: number, b: number): number {
  if (x <= 0) return 0;
  if (x >= 1) return 1;
  const front = Math.exp(logGamma(a + b) - logGamma(a) - logGamma(b) + a * Math.log(x) + b * Math.log(1 - x));
  return x < (a + 1) / (a + b + 2) ? (front * betaContinuedFraction(a, b, x)) / a : 1 - (front * betaContinuedFraction(b, a, 1 - x)) / b;
}

/** P(T > t) for Student's t with ν degrees of freedom, t ≥ 0. */
export function studentTUpperTail(t: number, nu: number): number {
  return 0.5 * incompleteBeta(nu / (nu + t * t), nu / 2, 0.5);
}

/** The t with P(T > t) = p, for 0 < p < 0.5 (bisection on log x, x = ν / (ν + t²)). */
export function studentTUpperQuantile(p: number, nu: number): number {
  let lo = -700; // log x: P grows with x
  let hi = 0;
  for (let i = 0; i < 200; i++) {
    const mid = (lo + hi) / 2;
    if (0.5 * incompleteBeta(Math.exp(mid), nu / 2, 0.5) < p) lo = mid;
    else hi = mid;
  }
  const x = Math.exp((lo + hi) / 2);
  return Math.sqrt((nu * (1 - x)) / x);
}
