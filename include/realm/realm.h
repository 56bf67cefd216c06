/**
 * @file realm.h
 * @brief Umbrella header and version of realm.
 */
#ifndef REALM_REALM_H
#define REALM_REALM_H

/** Major version: incompatible API changes. */
#define REALM_VERSION_MAJOR 0
/** Minor version: compatible additions. */
#define REALM_VERSION_MINOR 1
/** Patch version: fixes. */
#define REALM_VERSION_PATCH 0
/** The version as a string, "MAJOR.MINOR.PATCH". */
#define REALM_VERSION_STRING "0.1.0"
/** Version of the on-disk block layouts (GGUF's, unchanged). */
#define REALM_FORMAT_VERSION 1

#include "realm/cpu.h"
#include "realm/gguf.h"
#include "realm/graph.h"
#include "realm/model.h"
#include "realm/ops.h"
#include "realm/quant.h"
#include "realm/repack.h"
#include "realm/runtime.h"
#include "realm/sampling.h"
#include "realm/tokenizer.h"
#include "realm/types.h"

#ifdef __cplusplus
extern "C" {
#endif

/** @brief Version string of the linked library ("0.1.0"), static, never NULL. */
const char *realm_version(void);

#ifdef __cplusplus
}
#endif

#endif /* REALM_REALM_H */
