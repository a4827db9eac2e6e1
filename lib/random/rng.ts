/**
 * Small, fast, seeded pseudo-random generator: xoshiro128** (Blackman &
 * Vigna) with its 128-bit state expanded from the seed by splitmix32.
 *
 * Math.random cannot be seeded, and every generated dataset must be
 * reproducible from its seed alone, on any machine and Node version. All
 * arithmetic is 32-bit integer (`Math.imul`, shifts), so sequences are
 * bit-identical everywhere. Not cryptographically secure.
 *
 * @example
 * ```ts
 * const rng = new Rng(42);
 * rng.nextFloat();        // in [0, 1)
 * rng.nextInt(10);        // integer in [0, 10)
 * rng.normal();           // N(0, 1)
 * const x = rng.fillNormal(new Float32Array(1000));
 * ```
 */
/** What {@link Rng.getState} returns. */
export interface RngState {
  s: [number, number, number, number];
  spare: number | null;
}

export class Rng {
  private s0: number;
  private s1: number;
  private s2: number;
  private s3: number;
  /** Second value of the last polar-method pair, NaN when none is cached. */
  private spare = Number.NaN;

  /** @param seed any finite number; integers up to 2^53 are all distinct seeds. */
  constructor(seed: number) {
    if (!Number.isFinite(seed)) throw new RangeError(`Rng: seed must be a finite number, got ${seed}`);
    // Fold the high bits in so seeds that differ only above bit 32 still differ.
    const lo = seed >>> 0;
    const hi = Math.floor(Math.abs(seed) / 0x100000000) >>> 0;
    let state = (lo ^ Math.imul(hi, 0x9e3779b9) ^ (seed < 0 ? 0x5bd1e995 : 0)) | 0;
    const split = (): number => {
      state = (state + 0x9e3779b9) | 0;
      let t = state ^ (state >>> 16);
      t = Math.imul(t, 0x21f0aaad);
      t ^= t >>> 15;
      t = Math.imul(t, 0x735a2d97);
      return (t ^ (t >>> 15)) | 0;
    };
    this.s0 = split();
    this.s1 = split();
    this.s2 = split();
    this.s3 = split();
    // The all-zero state is the one fixed point of xoshiro.
    if ((this.s0 | this.s1 | this.s2 | this.s3) === 0) this.s0 = 1;
  }

  /**
   * The generator's full state, JSON-safe: the four 32-bit words and the cached normal
   * sample (null when none), so a checkpoint can resume the exact sequence.
   *
   * @example
   * const saved = rng.getState(); const a = rng.nextUint32();
   * rng.setState(saved); rng.nextUint32() === a; // true
   */
  getState(): RngState {
    return { s: [this.s0 >>> 0, this.s1 >>> 0, this.s2 >>> 0, this.s3 >>> 0], spare: Number.isNaN(this.spare) ? null : this.spare };
  }

  /** Restores a state from {@link getState}. */
  setState(state: RngState): void {
    const s = state?.s;
    if (!Array.isArray(s) || s.length !== 4 || !s.every((w) => Number.isInteger(w) && w >= 0 && w <= 0xffffffff)) {
      throw new RangeError('Rng.setState: s must be four unsigned 32-bit integers');
    }
    if ((s[0] | s[1] | s[2] | s[3]) === 0) throw new RangeError('Rng.setState: the all-zero state is not valid');
    if (state.spare !== null && !Number.isFinite(state.spare)) throw new RangeError('Rng.setState: spare must be a finite number or null');
    [this.s0, this.s1, this.s2, this.s3] = s.map((w) => w | 0) as [number, number, number, number];
    this.spare = state.spare ?? Number.NaN;
  }

  /** Uniform unsigned 32-bit integer. */
  nextUint32(): number {
    const s1 = this.s1;
    const m = Math.imul(s1, 5);
    const result = Math.imul((m << 7) | (m >>> 25), 9) >>> 0;
    const t = s1 << 9;
    this.s2 ^= this.s0;
    this.s3 ^= s1;
    this.s1 ^= this.s2;
    this.s0 ^= this.s3;
    this.s2 ^= t;
    this.s3 = (this.s3 << 11) | (this.s3 >>> 21);
    return result;
  }

  /**
   * Fills `out` with uniform unsigned 32-bit integers, the same sequence as
   * repeated {@link nextUint32} calls, and returns it. Keeps the state in
   * locals, which is several times faster for bulk generation.
   */
  fillUint32(out: Uint32Array): Uint32Array {
    let s0 = this.s0;
    let s1 = this.s1;
    let s2 = this.s2;
    let s3 = this.s3;
    for (let i = 0; i < out.length; i++) {
      const m = Math.imul(s1, 5);
      out[i] = Math.imul((m << 7) | (m >>> 25), 9);
      const t = s1 << 9;
      s2 ^= s0;
      s3 ^= s1;
      s1 ^= s2;
      s0 ^= s3;
      s2 ^= t;
      s3 = (s3 << 11) | (s3 >>> 21);
    }
    this.s0 = s0;
    this.s1 = s1;
    this.s2 = s2;
    this.s3 = s3;
    return out;
  }

  /** Uniform float in [0, 1) with 32 bits of resolution. */
  nextFloat(): number {
    return this.nextUint32() * 2.3283064365386963e-10;
  }

  /** Uniform integer in [0, n), unbiased (Lemire's multiply-and-reject). `n` must be in [1, 2^32]. */
  nextInt(n: number): number {
    if (!(n >= 1 && n <= 0x100000000) || !Number.isInteger(n)) {
      throw new RangeError(`Rng.nextInt: n must be an integer in [1, 2^32], got ${n}`);
    }
    // u * n as a 64-bit product: the high word is the result, the low word
    // decides rejection. Both are computed exactly (16-bit halves keep every
    // double below 2^53), and there is no float modulo, which V8 runs as a
    // slow fmod call for values above 2^31.
    for (;;) {
      const u = this.nextUint32();
      const lo = Math.imul(u, n) >>> 0;
      if (lo < n && lo < (0x100000000 - n) % n) continue;
      const hiPart = (u >>> 16) * n;
      const loPart = Math.floor(((u & 0xffff) * n) / 65536);
      return Math.floor((hiPart + loPart) / 65536);
    }
  }

  /** Standard normal N(0, 1) sample (Marsaglia polar method). */
  normal(): number {
    if (!Number.isNaN(this.spare)) {
      const s = this.spare;
      this.spare = Number.NaN;
      return s;
    }
    let u: number;
    let v: number;
    let q: number;
    do {
      u = 2 * this.nextFloat() - 1;
      v = 2 * this.nextFloat() - 1;
      q = u * u + v * v;
    } while (q >= 1 || q === 0);
    const f = Math.sqrt((-2 * Math.log(q)) / q);
    this.spare = v * f;
    return u * f;
  }

  /** Fills `out` with N(mean, std^2) samples and returns it. */
  fillNormal<T extends Float32Array | Float64Array>(out: T, mean = 0, std = 1): T {
    for (let i = 0; i < out.length; i++) out[i] = mean + std * this.normal();
    return out;
  }

  /** A uniformly random permutation of `0 .. n-1` (Fisher–Yates). */
  permutation(n: number): Int32Array {
    const p = new Int32Array(n);
    for (let i = 0; i < n; i++) p[i] = i;
    this.shuffle(p);
    return p;
  }

  /** Shuffles `a` in place (Fisher–Yates) and returns it. */
  shuffle<T extends Int32Array | Uint32Array | Float32Array>(a: T): T {
    for (let i = a.length - 1; i > 0; i--) {
      const j = this.nextInt(i + 1);
      const t = a[i]!;
      a[i] = a[j]!;
      a[j] = t;
    }
    return a;
  }
}
