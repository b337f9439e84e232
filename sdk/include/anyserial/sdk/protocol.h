/* anyserial SDK — device protocol plugins, factory id "anyserial.protocol/1".
 *
 * A protocol plugin is a sans-I/O state machine: it never reads, writes, sleeps or
 * schedules. The core feeds it received bytes and asks it what to send and how long to
 * wait. Decoded data comes back as plain structs that stay valid until the next call on
 * the same session; the core copies them into its C++ models before returning.
 *
 * Request/response protocols (Modbus):
 *     begin(request)
 *     while next_transaction(&tx) == ANYSERIAL_OK:
 *         wait tx.idle_before_ns since the last traffic, send tx.data
 *         feed(received bytes) until an event RESPONSE, EXCEPTION or BAD_FRAME,
 *         or tx.response_timeout_ns passes; on timeout or BAD_FRAME the core calls
 *         reset_receive() and sends the same tx again, at most tx.retries times
 *     (next_transaction returns ANYSERIAL_DONE) -> result(&r)
 * Broadcast protocols (continuous): the core feeds every received byte and gets FRAME
 * and BAD_FRAME events; begin() answers NOT_SUPPORTED for operations that need a
 * request channel.
 *
 * Thread tags as in backend.h. A session is used by one thread at a time. */
#ifndef ANYSERIAL_SDK_PROTOCOL_H
#define ANYSERIAL_SDK_PROTOCOL_H

#include <stdbool.h>
#include <stdint.h>

#include "serial_config.h"
#include "status.h"

#ifdef __cplusplus
extern "C" {
#endif

#define ANYSERIAL_PROTOCOL_FACTORY_ID "anyserial.protocol/1"

/* traffic kind */
#define ANYSERIAL_TRAFFIC_BROADCAST 1u        /* device speaks unasked */
#define ANYSERIAL_TRAFFIC_REQUEST_RESPONSE 2u /* device only answers */

/* capability bits */
#define ANYSERIAL_PCAP_READ_CHANNELS 0x01u
#define ANYSERIAL_PCAP_READ_STATUS 0x02u
#define ANYSERIAL_PCAP_IDENTIFY 0x04u
#define ANYSERIAL_PCAP_AUTOCAL 0x08u
#define ANYSERIAL_PCAP_LOOPBACK 0x10u

/* how the AUTO ladder recognises this protocol */
#define ANYSERIAL_PROBE_ACTIVE 1u  /* begin(OP_PROBE): a request whose valid answer decides */
#define ANYSERIAL_PROBE_PASSIVE 2u /* listen: a checksum-valid FRAME event decides */

typedef struct anyserial_protocol_descriptor_t {
    uint32_t struct_size;
    const char *id;   /* unique, e.g. "servomex-modbus-rtu" */
    const char *name; /* human name */
    const char *vendor;
    const char *version;
    const char *description;
    const char *device_family; /* protocols of one family take part in one AUTO ladder */
    const char *mode;          /* short CLI name within the family: "modbus-rtu" */
    uint32_t traffic;          /* ANYSERIAL_TRAFFIC_* */
    uint32_t capabilities;     /* ANYSERIAL_PCAP_* */
    uint32_t probe_kind;       /* ANYSERIAL_PROBE_* */
    uint32_t probe_rank;       /* AUTO order within the family, lower first */
    /* expected interval of unsolicited frames (broadcast), 0 = not applicable; AUTO
     * listens for at least twice this */
    uint64_t frame_interval_ns;
    uint32_t min_address, max_address; /* 0,0 when the protocol has no addresses */
    /* default serial settings of the device in this mode */
    anyserial_serial_config_t default_serial;
} anyserial_protocol_descriptor_t;

typedef struct anyserial_protocol_options_t {
    uint32_t struct_size;
    uint32_t address;             /* device address (Modbus slave id); ignored if none */
    uint32_t baudrate;            /* the line's baud rate, for timing computations */
    uint64_t response_timeout_ns; /* 0 = plugin default */
    uint64_t idle_gap_ns;         /* inter-transaction idle, 0 = plugin default */
    uint32_t retries;             /* UINT32_MAX = plugin default */
    uint32_t reserved0;
} anyserial_protocol_options_t;

/* ---- decoded data ------------------------------------------------------------------ */

/* channel kinds */
#define ANYSERIAL_CHANNEL_TRANSDUCER 1u
#define ANYSERIAL_CHANNEL_DERIVED 2u
#define ANYSERIAL_CHANNEL_EXTERNAL 3u

/* unit kinds */
#define ANYSERIAL_UNIT_UNKNOWN 0u
#define ANYSERIAL_UNIT_PERCENT 1u
#define ANYSERIAL_UNIT_VPM 2u
#define ANYSERIAL_UNIT_PPM 3u
#define ANYSERIAL_UNIT_MILLIAMP 4u

/* channel status bits */
#define ANYSERIAL_STATUS_FAULT 0x001u /* for external inputs: the Invalid bit */
#define ANYSERIAL_STATUS_MAINTENANCE 0x002u
#define ANYSERIAL_STATUS_CALIBRATING 0x004u
#define ANYSERIAL_STATUS_WARMING_UP 0x008u
#define ANYSERIAL_STATUS_ALARM1 0x010u
#define ANYSERIAL_STATUS_ALARM2 0x020u
#define ANYSERIAL_STATUS_ALARM3 0x040u
#define ANYSERIAL_STATUS_ALARM4 0x080u
#define ANYSERIAL_STATUS_INVALID 0x100u   /* external input reports Invalid */
#define ANYSERIAL_STATUS_INHERITED 0x200u /* derived channel: flags copied from parent */
/* the slot is empty (identify leaves it out): the reading is there only for a caller who
 * asks for this channel by id; lists of readings leave it out */
#define ANYSERIAL_STATUS_UNPOPULATED 0x400u

typedef struct anyserial_reading_t {
    uint32_t struct_size;
    const char *channel; /* "I1" */
    uint32_t kind;       /* ANYSERIAL_CHANNEL_* */
    uint32_t unit_kind;  /* ANYSERIAL_UNIT_* */
    const char *name;    /* UTF-8 display name, NULL when the slot is unlabelled */
    const char *unit;    /* canonical unit text ("%", "vpm", "ppm", "mA") or raw text */
    bool has_value;      /* false: over-range / invalid */
    uint8_t reserved0[3];
    uint32_t status; /* ANYSERIAL_STATUS_* */
    double value;
} anyserial_reading_t;

#define ANYSERIAL_MAX_CAL_GROUPS 8u

typedef struct anyserial_cal_group_t {
    uint32_t struct_size;
    uint32_t group; /* 1-based */
    bool calibrating;
    uint8_t cal_gas; /* 1 or 2 */
    uint8_t reserved0[2];
} anyserial_cal_group_t;

typedef struct anyserial_analyser_status_t {
    uint32_t struct_size;
    bool fault;
    bool maintenance;
    uint8_t reserved0[2];
    uint32_t cal_group_count;
    anyserial_cal_group_t cal_groups[ANYSERIAL_MAX_CAL_GROUPS];
    const char *clock; /* device clock text ("06-10-20 02:54:12") or NULL */
} anyserial_analyser_status_t;

typedef struct anyserial_frame_t {
    uint32_t struct_size;
    uint32_t reading_count;
    const anyserial_reading_t *readings;
    bool has_analyser;
    bool has_checksum;
    bool checksum_ok;
    uint8_t reserved0;
    uint32_t checksum; /* as sent by the device */
    anyserial_analyser_status_t analyser;
    const uint8_t *raw; /* the bytes this frame was decoded from */
    uint32_t raw_len;
    uint32_t reserved1;
} anyserial_frame_t;

/* ---- requests, transactions, events, results -------------------------------------- */

/* high-level operations */
#define ANYSERIAL_OP_PROBE 1u      /* cheapest liveness/recognition request */
#define ANYSERIAL_OP_READ_FRAME 2u /* every channel + analyser status */
#define ANYSERIAL_OP_IDENTIFY 3u   /* model, channel names and units */
#define ANYSERIAL_OP_READ_ANALYSER_STATUS 4u
#define ANYSERIAL_OP_READ_CAL_STATUS 5u   /* request.group */
#define ANYSERIAL_OP_START_CALIBRATION 6u /* request.group; state-changing */
#define ANYSERIAL_OP_STOP_CALIBRATION 7u  /* state-changing */

typedef struct anyserial_protocol_request_t {
    uint32_t struct_size;
    uint32_t op;    /* ANYSERIAL_OP_* */
    uint32_t group; /* cal-group for calibration ops */
    uint32_t reserved0;
} anyserial_protocol_request_t;

typedef struct anyserial_transaction_t {
    uint32_t struct_size;
    uint32_t len;
    const uint8_t *data;            /* valid until the next next_transaction()/begin() */
    uint64_t response_timeout_ns;   /* for this transaction alone */
    uint64_t idle_before_ns;        /* quiet time on the line before sending */
    uint32_t expected_response_len; /* 0 = not known in advance */
    uint32_t retries;               /* resends after a timeout or bad frame */
    bool expects_response;          /* false for broadcast writes */
    uint8_t reserved0[3];
    uint32_t function_code;    /* for error context (Modbus FC), 0 if none */
    uint32_t register_address; /* data-model address for error context, 0 if none */
    uint32_t reserved1;
} anyserial_transaction_t;

/* event types from feed() */
#define ANYSERIAL_EVENT_NEED_MORE 0u /* everything consumed, nothing complete yet */
#define ANYSERIAL_EVENT_FRAME 1u     /* broadcast frame decoded: event.frame */
#define ANYSERIAL_EVENT_RESPONSE 2u  /* the current transaction's response is complete */
#define ANYSERIAL_EVENT_EXCEPTION 3u /* the device answered with an exception */
#define ANYSERIAL_EVENT_BAD_FRAME 4u /* checksum/structure failure; resynchronised */

typedef struct anyserial_protocol_event_t {
    uint32_t struct_size;
    uint32_t type;                  /* ANYSERIAL_EVENT_* */
    const anyserial_frame_t *frame; /* FRAME (also for bad-checksum frames when decodable) */
    const char *reason;             /* BAD_FRAME / EXCEPTION: what was wrong */
    const uint8_t *raw;             /* bytes of the bad frame / response */
    uint32_t raw_len;
    uint32_t function_code;  /* EXCEPTION: request's function code */
    uint32_t exception_code; /* EXCEPTION: device's code (Modbus 1, 2, 3, ...) */
    uint32_t reserved0;
} anyserial_protocol_event_t;

#define ANYSERIAL_CAL_PHASE_IDLE 0u
#define ANYSERIAL_CAL_PHASE_GAS1 1u
#define ANYSERIAL_CAL_PHASE_GAS2 2u

typedef struct anyserial_protocol_result_t {
    uint32_t struct_size;
    uint32_t op;
    const anyserial_frame_t *frame; /* READ_FRAME, IDENTIFY (values may be absent),
                                       READ_ANALYSER_STATUS (frame->analyser) */
    const char *model;              /* IDENTIFY: model text, NULL if unknown */
    uint32_t cal_group;             /* READ_CAL_STATUS */
    bool cal_active;
    uint8_t reserved0[3];
    uint32_t cal_phase; /* ANYSERIAL_CAL_PHASE_* */
    uint32_t reserved1;
} anyserial_protocol_result_t;

typedef struct anyserial_protocol_session_t anyserial_protocol_session_t;

typedef struct anyserial_protocol_session_vtable_t {
    uint32_t struct_size;
    /* Start a high-level operation; NOT_SUPPORTED when this protocol cannot do it,
     * INVALID_ARGUMENT for a bad group etc. Abandons any operation in progress. */
    int32_t (*begin)(anyserial_protocol_session_t *self, const anyserial_protocol_request_t *req);
    /* ANYSERIAL_OK with the next transaction to run, ANYSERIAL_DONE when the result is
     * ready, or an error (the operation failed; see last_error). Call after begin() and
     * after each RESPONSE event. */
    int32_t (*next_transaction)(anyserial_protocol_session_t *self, anyserial_transaction_t *out);
    /* Feed received bytes. Consumes up to len bytes (*consumed says how many) and stops
     * at the first event, so call again with the rest. */
    int32_t (*feed)(anyserial_protocol_session_t *self, const uint8_t *data, uint32_t len,
                    uint32_t *consumed, anyserial_protocol_event_t *event);
    /* Forget partially received bytes (before a resend, after a timeout). */
    void (*reset_receive)(anyserial_protocol_session_t *self);
    /* Result of the finished operation (after next_transaction returned DONE). */
    int32_t (*result)(anyserial_protocol_session_t *self, anyserial_protocol_result_t *out);
    uint32_t (*last_error)(const anyserial_protocol_session_t *self, char *buf, uint32_t cap);
    void (*destroy)(anyserial_protocol_session_t *self);
} anyserial_protocol_session_vtable_t;

struct anyserial_protocol_session_t {
    uint32_t struct_size;
    void *impl;
    const anyserial_protocol_descriptor_t *descriptor;
    const anyserial_protocol_session_vtable_t *vtable;
};

typedef struct anyserial_protocol_factory_t {
    uint32_t struct_size;
    uint32_t (*count)(void);
    const anyserial_protocol_descriptor_t *(*get_descriptor)(uint32_t index);
    /* [thread-safe] New session for protocol_id. options may be NULL for defaults. */
    int32_t (*create_session)(const char *protocol_id, const anyserial_protocol_options_t *options,
                              anyserial_protocol_session_t **out);
    /* [thread-safe] Protocol-level extension (e.g. the simulator) or NULL. */
    const void *(*get_extension)(const char *protocol_id, const char *extension_id);
} anyserial_protocol_factory_t;

#ifdef __cplusplus
}
#endif

#endif
