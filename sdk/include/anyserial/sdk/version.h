/* anyserial SDK — version of the C ABI this header set describes. */
#ifndef ANYSERIAL_SDK_VERSION_H
#define ANYSERIAL_SDK_VERSION_H

#define ANYSERIAL_SDK_VERSION_MAJOR 1u
#define ANYSERIAL_SDK_VERSION_MINOR 2u
#define ANYSERIAL_SDK_VERSION_PATCH 0u

#endif
