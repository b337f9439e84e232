/* anyserial SDK — symbol visibility for the one exported plugin symbol. */
#ifndef ANYSERIAL_SDK_EXPORT_H
#define ANYSERIAL_SDK_EXPORT_H

#if defined(_WIN32)
#define ANYSERIAL_PLUGIN_EXPORT __declspec(dllexport)
#elif defined(__GNUC__) || defined(__clang__)
#define ANYSERIAL_PLUGIN_EXPORT __attribute__((visibility("default")))
#else
#define ANYSERIAL_PLUGIN_EXPORT
#endif

#endif
