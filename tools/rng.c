/* splitmix64: tiny, fast, and good enough for test data; Box-Muller on top
 * for normal values, which is what LLM weights and activations look like. */
#include "rng.h"

#include <math.h>

tool_rng tool_rng_seed(uint64_t seed) { return (tool_rng){seed}; }

uint64_t tool_rng_next(tool_rng *r) {
    uint64_t z = (r->state += 0x9e3779b97f4a7c15ull);
    z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ull;
    z = (z ^ (z >> 27)) * 0x94d049bb133111ebull;
    return z ^ (z >> 31);
}

double tool_rng_uniform(tool_rng *r) { return (double)(tool_rng_next(r) >> 11) * 0x1.0p-53; }

float tool_rng_normal(tool_rng *r) {
    double u1 = 1.0 - tool_rng_uniform(r); /* (0, 1]: log() stays finite */
    double u2 = tool_rng_uniform(r);
    return (float)(sqrt(-2.0 * log(u1)) * cos(6.283185307179586 * u2));
}
