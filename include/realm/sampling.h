/**
 * @file sampling.h
 * @brief Pick the next token from a vector of logits: greedy, temperature,
 *        top-k, top-p (nucleus), min-p, repetition penalty, seeded RNG.
 *
 * A ::realm_sampler holds the parameters, the RNG state, the history of
 * accepted tokens (for the repetition penalty) and every buffer a draw
 * needs, allocated once by realm_sampler_create(): realm_sampler_sample()
 * allocates nothing. The same parameters, seed and sequence of calls give
 * the same tokens on every machine. A sampler is not thread-safe; use one
 * per sequence.
 *
 * One draw, in this order:
 * 1. repetition penalty on the distinct tokens of the last
 *    realm_sampler_params::repeat_last_n accepted ones (the llama.cpp rule:
 *    a positive logit is divided by the penalty, a negative one multiplied);
 * 2. temperature <= 0: the largest logit (lowest id among equals); done;
 * 3. top-k: the k largest logits (ties: lower ids first);
 * 4. softmax of logit / temperature over them;
 * 5. top-p: the fewest most probable tokens whose probabilities sum to at
 *    least top_p;
 * 6. min-p: tokens less probable than min_p times the most probable one dropped;
 * 7. a draw from what is left, in proportion to the probabilities, with the
 *    sampler's xoshiro256** generator (seeded through splitmix64).
 */
#ifndef REALM_SAMPLING_H
#define REALM_SAMPLING_H

#include <stdint.h>

#include "realm/types.h"

#ifdef __cplusplus
extern "C" {
#endif

/** Parameters of a sampler; start from realm_sampler_params_default(). */
typedef struct realm_sampler_params {
    float temperature;     /**< >= 0, finite; 0 = greedy */
    int32_t top_k;         /**< >= 0; 0 = off (all tokens) */
    float top_p;           /**< in (0, 1]; 1 = off */
    float min_p;           /**< in [0, 1]; 0 = off */
    float repeat_penalty;  /**< > 0, finite; 1 = off */
    int32_t repeat_last_n; /**< >= 0: accepted tokens the penalty looks back on; 0 = none */
    uint64_t seed;         /**< RNG seed: the same seed, the same draws */
} realm_sampler_params;

/**
 * @brief The defaults: temperature 0.8, top_k 40, top_p 0.95, min_p 0.05,
 *        repeat_penalty 1 (off), repeat_last_n 64, seed 0.
 */
realm_sampler_params realm_sampler_params_default(void);

/** Opaque sampler: parameters, RNG state, token history, work buffers. */
typedef struct realm_sampler realm_sampler;

/**
 * @brief New sampler over a vocabulary of @p n_vocab tokens.
 * @param p parameters (copied), or NULL for the defaults.
 * @param n_vocab logits per draw, >= 1.
 * @param[out] out the sampler, owned by the caller (realm_sampler_destroy());
 *             NULL on failure.
 * @return REALM_OK; REALM_ERR_INVALID_ARG for a NULL @p out, n_vocab < 1 or
 *         a parameter out of its range (see ::realm_sampler_params);
 *         REALM_ERR_OUT_OF_MEMORY.
 */
realm_status realm_sampler_create(const realm_sampler_params *p, int32_t n_vocab, realm_sampler **out);

/** @brief Frees a sampler. NULL is ignored. */
void realm_sampler_destroy(realm_sampler *s);

/**
 * @brief Draws the next token (see the file comment for the steps).
 *
 * Does not modify @p logits and does not add the token to the history
 * (call realm_sampler_accept() for the token actually used).
 * @param s the sampler.
 * @param logits n_vocab finite values.
 * @param[out] token the token id, in [0, n_vocab).
 * @return REALM_OK; REALM_ERR_INVALID_ARG for NULLs or a NaN or infinite
 *         logit (the message names its index).
 */
realm_status realm_sampler_sample(realm_sampler *s, const float *logits, int32_t *token);

/**
 * @brief Appends @p token to the history the repetition penalty looks at
 *        (only the last repeat_last_n are kept).
 * @return REALM_OK; REALM_ERR_INVALID_ARG for NULL or a token outside [0, n_vocab).
 */
realm_status realm_sampler_accept(realm_sampler *s, int32_t token);

/** @brief Clears the history and restarts the RNG from the seed. NULL is ignored. */
void realm_sampler_reset(realm_sampler *s);

#ifdef __cplusplus
}
#endif

#endif /* REALM_SAMPLING_H */
