// STREAM-style triad a[i] = b[i] + s * c[i] on double arrays far larger than the last-level
// cache, with OpenMP threads; prints the best of `reps` as one JSON line. Bytes per repeat are
// counted as STREAM does: 3 arrays x 8 bytes x n (the write-allocate read of a is not counted,
// which makes the figure an honest, slightly conservative floor for a kernel that also writes).
// Build: gcc -O3 -fopenmp triad.c -o triad.   Run: ./triad [n] [reps]
#include <omp.h>
#include <stdio.h>
#include <stdlib.h>

int main(int argc, char** argv) {
  long n = argc > 1 ? atol(argv[1]) : 40L * 1000 * 1000;
  int reps = argc > 2 ? atoi(argv[2]) : 10;
  double* a = malloc(n * sizeof(double));
  double* b = malloc(n * sizeof(double));
  double* c = malloc(n * sizeof(double));
  if (!a || !b || !c) {
    fprintf(stderr, "triad: cannot allocate 3 x %ld doubles\n", n);
    return 1;
  }
  // First touch by the same threads and schedule as the timed loop.
#pragma omp parallel for schedule(static)
  for (long i = 0; i < n; i++) a[i] = 0.0, b[i] = 1.0, c[i] = 2.0;
  const double s = 3.0;
  double best = 1e30, sum = 0.0;
  for (int r = 0; r < reps; r++) {
    double t = omp_get_wtime();
#pragma omp parallel for schedule(static)
    for (long i = 0; i < n; i++) a[i] = b[i] + s * c[i];
    t = omp_get_wtime() - t;
    if (t < best) best = t;
    sum += a[r % n];
  }
  double bytes = 3.0 * sizeof(double) * n;
  printf("{\"n\":%ld,\"reps\":%d,\"threads\":%d,\"bytes\":%.0f,\"best_s\":%.6f,\"gbytes_per_s\":%.3f,\"check\":%.1f}\n", n, reps,
         omp_get_max_threads(), bytes, best, bytes / best / 1e9, sum);
  free(a), free(b), free(c);
  return 0;
}
