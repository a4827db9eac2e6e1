// Function multiversioning for the hot CPU loops: FATHOM_CLONES compiles a function for AVX2
// and for the baseline ISA, picked at load time where the CPU has AVX2, without building the
// whole addon for one CPU. Not under clang or ASan, which do not support target_clones there.
// FATHOM_INLINE forces helpers into the clone bodies: a function they call would be compiled
// for the baseline ISA only, and GCC's heuristics otherwise keep some helpers as calls.
#pragma once

#if defined(__x86_64__) && defined(__GNUC__) && !defined(__clang__) && \
    !defined(__SANITIZE_ADDRESS__)
#define FATHOM_CLONES __attribute__((target_clones("avx2", "default")))
#else
#define FATHOM_CLONES
#endif

#if defined(__GNUC__)
#define FATHOM_INLINE inline __attribute__((always_inline))
#else
#define FATHOM_INLINE inline
#endif
