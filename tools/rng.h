/* Deterministic random numbers for generated data (demo inputs, random
 * models): the same seed gives the same bytes on every machine. */
#ifndef REALM_TOOL_RNG_H
#define REALM_TOOL_RNG_H

#include <stdint.h>

typedef struct tool_rng {
    uint64_t state;
} tool_rng;

tool_rng tool_rng_seed(uint64_t seed);
uint64_t tool_rng_next(tool_rng *r);  /* splitmix64 */
double tool_rng_uniform(tool_rng *r); /* [0, 1) */
float tool_rng_normal(tool_rng *r);   /* N(0, 1), Box-Muller */

#endif
