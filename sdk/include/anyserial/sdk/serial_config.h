/* anyserial SDK — serial configuration and capabilities as they cross the ABI.
 *
 * The core validates a SerialConfig before it ever reaches a backend; a backend still
 * checks what its platform cannot do. */
#ifndef ANYSERIAL_SDK_SERIAL_CONFIG_H
#define ANYSERIAL_SDK_SERIAL_CONFIG_H

#include <stdbool.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

/* parity */
#define ANYSERIAL_PARITY_NONE 0u
#define ANYSERIAL_PARITY_ODD 1u
#define ANYSERIAL_PARITY_EVEN 2u
#define ANYSERIAL_PARITY_MARK 3u
#define ANYSERIAL_PARITY_SPACE 4u

/* stop bits */
#define ANYSERIAL_STOP_BITS_ONE 0u
#define ANYSERIAL_STOP_BITS_ONE_POINT_FIVE 1u
#define ANYSERIAL_STOP_BITS_TWO 2u

/* flow control bit set */
#define ANYSERIAL_FLOW_XON_XOFF 0x1u
#define ANYSERIAL_FLOW_RTS_CTS 0x2u
#define ANYSERIAL_FLOW_DTR_DSR 0x4u

/* what to do when an optional feature cannot be applied */
#define ANYSERIAL_POLICY_RAISE 0u  /* fail the call with a status, change nothing */
#define ANYSERIAL_POLICY_WARN 1u   /* apply best effort, report it (host logs a warning) */
#define ANYSERIAL_POLICY_IGNORE 2u /* apply best effort, report it silently */

typedef struct anyserial_rs485_config_t {
    uint32_t struct_size;
    bool enabled;
    bool rts_on_send;
    bool rts_after_send;
    bool rx_during_tx;
    uint32_t delay_before_send_us;
    uint32_t delay_after_send_us;
} anyserial_rs485_config_t;

typedef struct anyserial_serial_config_t {
    uint32_t struct_size;
    uint32_t baudrate;          /* > 0 */
    uint8_t byte_size;          /* 5..8 */
    uint8_t parity;             /* ANYSERIAL_PARITY_* */
    uint8_t stop_bits;          /* ANYSERIAL_STOP_BITS_* */
    uint8_t flow_control;       /* ANYSERIAL_FLOW_* bits */
    bool exclusive;             /* TIOCEXCL + flock on POSIX */
    bool hangup_on_close;       /* HUPCL */
    bool low_latency;           /* ASYNC_LOW_LATENCY, FTDI latency timer */
    bool rs485_enabled;         /* rs485 below is meaningful only when true */
    uint8_t unsupported_policy; /* ANYSERIAL_POLICY_* for optional features */
    uint8_t reserved0[3];
    uint32_t read_chunk_size; /* preferred max bytes per read syscall */
    anyserial_rs485_config_t rs485;
} anyserial_serial_config_t;

/* Optional features a backend could not apply (best effort under WARN/IGNORE, or the
 * reason for a failure under RAISE). */
#define ANYSERIAL_FEATURE_CUSTOM_BAUDRATE 0x0001u
#define ANYSERIAL_FEATURE_MARK_SPACE_PARITY 0x0002u
#define ANYSERIAL_FEATURE_ONE_POINT_FIVE_STOP_BITS 0x0004u
#define ANYSERIAL_FEATURE_XON_XOFF 0x0008u
#define ANYSERIAL_FEATURE_RTS_CTS 0x0010u
#define ANYSERIAL_FEATURE_DTR_DSR 0x0020u
#define ANYSERIAL_FEATURE_EXCLUSIVE_ACCESS 0x0040u
#define ANYSERIAL_FEATURE_LOW_LATENCY 0x0080u
#define ANYSERIAL_FEATURE_RS485 0x0100u
#define ANYSERIAL_FEATURE_HANGUP_ON_CLOSE 0x0200u
#define ANYSERIAL_FEATURE_BYTE_SIZE 0x0400u /* driver normalised CSIZE (e.g. a pty) */
#define ANYSERIAL_FEATURE_PARITY 0x0800u    /* driver normalised PARENB/PARODD */

/* Filled by open()/configure(): what was not applied and why. */
typedef struct anyserial_config_report_t {
    uint32_t struct_size;
    uint32_t unsupported; /* ANYSERIAL_FEATURE_* bits not applied (or read back differently) */
    char message[256];    /* UTF-8, NUL-terminated: which feature, why */
} anyserial_config_report_t;

/* Tri-state capability values. */
#define ANYSERIAL_CAP_UNKNOWN 0u /* platform may do it; driver/device decides */
#define ANYSERIAL_CAP_SUPPORTED 1u
#define ANYSERIAL_CAP_UNSUPPORTED 2u

typedef struct anyserial_capabilities_t {
    uint32_t struct_size;
    uint8_t custom_baudrate;
    uint8_t mark_space_parity;
    uint8_t one_point_five_stop_bits;
    uint8_t xon_xoff;
    uint8_t rts_cts;
    uint8_t dtr_dsr;
    uint8_t modem_lines;
    uint8_t break_signal;
    uint8_t exclusive_access;
    uint8_t low_latency;
    uint8_t rs485;
    uint8_t input_waiting;
    uint8_t output_waiting;
    uint8_t port_discovery;
    uint8_t reserved[2];
} anyserial_capabilities_t;

/* Modem and control line bits (modem_lines()). */
#define ANYSERIAL_LINE_CTS 0x01u
#define ANYSERIAL_LINE_DSR 0x02u
#define ANYSERIAL_LINE_RI 0x04u
#define ANYSERIAL_LINE_CD 0x08u
#define ANYSERIAL_LINE_RTS 0x10u
#define ANYSERIAL_LINE_DTR 0x20u

/* Tri-state for set_control_lines(). */
#define ANYSERIAL_LINE_UNCHANGED (-1)
#define ANYSERIAL_LINE_OFF 0
#define ANYSERIAL_LINE_ON 1

#ifdef __cplusplus
}
#endif

#endif
