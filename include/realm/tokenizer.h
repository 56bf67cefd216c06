/**
 * @file tokenizer.h
 * @brief llama SentencePiece (SPM) tokenizer: text to token ids and back,
 *        the way llama.cpp's SPM tokenizer does it.
 *
 * Tokenizing: a space is put in front of non-empty text (when the vocab says
 * add_space_prefix), every ' ' becomes "▁" (U+2581), the text is split into
 * UTF-8 characters, and neighbouring symbols are merged pair by pair, always
 * the pair whose merged text is the vocab token with the highest score
 * (leftmost first on ties). A character that is not a token is emitted as
 * its bytes' "<0xXX>" tokens (byte fallback), or as the unknown token when
 * the vocab has no byte tokens. User-defined tokens (type 4) found in the
 * text are emitted whole before that, as llama.cpp does; control tokens
 * written in the text ("<s>") are plain text.
 *
 * A tokenizer is immutable after creation: one may be used by any number of
 * threads at once.
 */
#ifndef REALM_TOKENIZER_H
#define REALM_TOKENIZER_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "realm/types.h"

#ifdef __cplusplus
extern "C" {
#endif

/** Opaque tokenizer: a copy of the vocab plus a text-to-id hash table. */
typedef struct realm_tokenizer realm_tokenizer;

struct realm_gguf;

/** Token types, as GGUF's tokenizer.ggml.token_type stores them. */
typedef enum realm_token_type {
    REALM_TOKEN_NORMAL = 1,       /**< ordinary text piece; "▁" stands for a space */
    REALM_TOKEN_UNKNOWN = 2,      /**< the unknown token ("<unk>") */
    REALM_TOKEN_CONTROL = 3,      /**< BOS, EOS and other control tokens */
    REALM_TOKEN_USER_DEFINED = 4, /**< matched whole in the text before merging */
    REALM_TOKEN_UNUSED = 5,       /**< reserved slot */
    REALM_TOKEN_BYTE = 6,         /**< "<0xAB>": the single byte 0xAB */
} realm_token_type;

/**
 * Everything a tokenizer is made from. The arrays are read during
 * realm_tokenizer_create() only (it copies what it needs).
 */
typedef struct realm_vocab_desc {
    int32_t n_tokens;           /**< vocab size, >= 1 */
    const char *const *tokens;  /**< n_tokens texts, UTF-8 bytes, NUL-terminated or not */
    const size_t *token_lens;   /**< n_tokens byte lengths; NULL: the texts are NUL-terminated */
    const float *scores;        /**< n_tokens merge scores (higher merges first); NULL: all 0 */
    const int32_t *token_types; /**< n_tokens ::realm_token_type values, or NULL (see below) */
    int32_t bos_id;             /**< beginning-of-sequence token, -1 if none */
    int32_t eos_id;             /**< end-of-sequence token, -1 if none */
    int32_t unk_id;             /**< unknown token, -1 if none */
    bool add_bos;               /**< the vocab asks for BOS first (llama: true); informational */
    bool add_space_prefix;      /**< put ' ' before non-empty text (llama: true) */
} realm_vocab_desc;

/**
 * @brief A description with llama's defaults: no tokens, bos 1, eos 2, unk 0,
 *        add_bos and add_space_prefix true.
 */
realm_vocab_desc realm_vocab_desc_default(void);

/**
 * @brief Build a tokenizer from a vocab.
 *
 * When @p desc->token_types is NULL the types are inferred: texts of the form
 * "<0xAB>" (upper-case hex) are byte tokens, bos_id and eos_id are control
 * tokens, unk_id is the unknown token, and every other token is normal.
 * When two tokens have the same text, the later id wins (as in llama.cpp).
 * @param desc the vocab; copied.
 * @param[out] out the new tokenizer, written only on success.
 * @return REALM_OK; REALM_ERR_INVALID_ARG for NULL pointers, n_tokens < 1,
 *         a NULL token text or special ids out of range; REALM_ERR_OVERFLOW
 *         for texts whose total length overflows; REALM_ERR_OUT_OF_MEMORY.
 */
realm_status realm_tokenizer_create(const realm_vocab_desc *desc, realm_tokenizer **out);

/**
 * @brief Build a tokenizer from the tokenizer.ggml.* keys of a GGUF file.
 *
 * Needs tokenizer.ggml.model = "llama" and tokenizer.ggml.tokens; scores,
 * token_type, bos/eos/unknown_token_id, add_bos_token and add_space_prefix
 * are optional (llama defaults: 0 scores, types inferred, ids 1/2/0, true,
 * true).
 * @param g an open GGUF file; the tokenizer keeps no reference to it.
 * @param[out] out the new tokenizer, written only on success.
 * @return REALM_OK; REALM_ERR_INVALID_ARG for NULL pointers;
 *         REALM_ERR_FORMAT for a missing or malformed tokenizer (message
 *         names the key); REALM_ERR_UNSUPPORTED for another tokenizer model.
 */
realm_status realm_tokenizer_from_gguf(const struct realm_gguf *g, realm_tokenizer **out);

/** @brief Free a tokenizer; NULL is a no-op. */
void realm_tokenizer_destroy(realm_tokenizer *t);

/** @brief Number of tokens in the vocab (0 for NULL). */
int32_t realm_tokenizer_n_vocab(const realm_tokenizer *t);

/** @brief Beginning-of-sequence id, or -1 when none (or @p t is NULL). */
int32_t realm_tokenizer_bos(const realm_tokenizer *t);

/** @brief End-of-sequence id, or -1 when none (or @p t is NULL). */
int32_t realm_tokenizer_eos(const realm_tokenizer *t);

/** @brief Whether the vocab asks for BOS in front of a prompt (false for NULL). */
bool realm_tokenizer_add_bos(const realm_tokenizer *t);

/**
 * @brief Type of a token (::realm_token_type value), or 0 when @p id is out
 *        of range or @p t is NULL.
 */
int32_t realm_tokenizer_token_type(const realm_tokenizer *t, int32_t id);

/**
 * @brief Tokenize @p len bytes of text (any bytes; invalid UTF-8 included).
 *
 * @param t the tokenizer.
 * @param text the text, not necessarily NUL-terminated; may be NULL when
 *        @p len is 0.
 * @param len its length in bytes.
 * @param add_bos put the BOS id first (REALM_ERR_STATE when the vocab has none).
 * @param[out] ids room for @p cap ids; may be NULL when @p cap is 0.
 * @param cap capacity of @p ids.
 * @param[out] n_out the number of ids the text needs, also when it exceeds
 *        @p cap (then the call returns REALM_ERR_SHAPE and the content of
 *        @p ids is unspecified), so a call with cap 0 measures.
 * @return REALM_OK; REALM_ERR_SHAPE when @p cap is too small;
 *         REALM_ERR_INVALID_ARG for NULL pointers or cap < 0;
 *         REALM_ERR_FORMAT when a byte has no token and the vocab no unknown
 *         token; REALM_ERR_OUT_OF_MEMORY; REALM_ERR_OVERFLOW for absurd lengths.
 */
realm_status realm_tokenize(const realm_tokenizer *t, const char *text, size_t len, bool add_bos,
                            int32_t *ids, int64_t cap, int64_t *n_out);

/**
 * @brief The bytes one token stands for in output text.
 *
 * Normal tokens: their text with "▁" turned into ' '; byte tokens: their
 * byte; user-defined tokens: their text as is; control, unknown and unused
 * tokens: nothing (as llama.cpp prints them without special tokens).
 * @param t the tokenizer.
 * @param id the token, 0..n_vocab-1.
 * @param[out] buf room for @p cap bytes; not NUL-terminated; may be NULL
 *        when @p cap is 0.
 * @param cap capacity of @p buf.
 * @param[out] len the piece's length, also when it exceeds @p cap (then the
 *        call returns REALM_ERR_SHAPE).
 * @return REALM_OK; REALM_ERR_SHAPE; REALM_ERR_INVALID_ARG for NULL pointers
 *         or an id outside [0, n_vocab).
 */
realm_status realm_token_piece(const realm_tokenizer *t, int32_t id, char *buf, size_t cap, size_t *len);

/**
 * @brief Text of a sequence of ids: their pieces back to back.
 *
 * When the vocab has add_space_prefix, the leading ' ' of the first piece
 * after an optional leading BOS is dropped, so detokenizing what
 * realm_tokenize() made gives the text back. (llama.cpp drops it only when
 * no BOS comes first; SentencePiece drops it in both cases, as here.)
 * @param t the tokenizer.
 * @param ids @p n token ids, each in [0, n_vocab); may be NULL when @p n is 0.
 * @param n number of ids.
 * @param[out] buf room for @p cap bytes; not NUL-terminated; may be NULL
 *        when @p cap is 0.
 * @param cap capacity of @p buf.
 * @param[out] len the text's length, also when it exceeds @p cap (then the
 *        call returns REALM_ERR_SHAPE and @p buf holds a prefix).
 * @return REALM_OK; REALM_ERR_SHAPE; REALM_ERR_INVALID_ARG for NULL
 *         pointers, n < 0 or an id out of range.
 */
realm_status realm_detokenize(const realm_tokenizer *t, const int32_t *ids, int64_t n, char *buf, size_t cap,
                              size_t *len);

#ifdef __cplusplus
}
#endif

#endif /* REALM_TOKENIZER_H */
