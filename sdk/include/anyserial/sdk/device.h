/* anyserial SDK — how a protocol plugin describes its device to the core.
 *
 * The core knows no device. Everything it shows or records about one comes from these
 * structs, asked for at run time the way a CLAP host asks a plugin for its parameters:
 *  - channels: per session (after identify, or from the first frame of a broadcaster), by
 *    count and info on the session (protocol.h);
 *  - status flags: declared once per protocol in its descriptor; readings and the device
 *    carry a set of them as a bit mask over the declared order;
 *  - commands: declared once per protocol, with typed, ranged arguments and a safety tier
 *    the core enforces before a byte is sent;
 *  - addresses: text in a declared syntax, validated by the core before any I/O.
 *
 * Lists of structs are arrays of pointers, so that every struct can grow (struct_size)
 * without breaking the stride of an older reader. Strings are UTF-8 and NUL-terminated. */
#ifndef ANYSERIAL_SDK_DEVICE_H
#define ANYSERIAL_SDK_DEVICE_H

#include <stdbool.h>
#include <stdint.h>

#include "threads.h"

#ifdef __cplusplus
extern "C" {
#endif

/* ---- values ------------------------------------------------------------------------ */

#define ANYSERIAL_VALUE_ABSENT 0u  /* no value (over-range, invalid, "--", omitted arg) */
#define ANYSERIAL_VALUE_NUMBER 1u  /* a double */
#define ANYSERIAL_VALUE_TEXT 2u    /* a string */
#define ANYSERIAL_VALUE_INTEGER 3u /* a whole number (carried in `number`, exact to 2^53) */

/* A named value: identify's model, serial number and firmware, what a command read back,
 * device state a frame carries besides its readings. */
typedef struct anyserial_field_t {
    uint32_t struct_size;
    uint32_t value_type; /* ANYSERIAL_VALUE_* */
    const char *id;      /* stable, e.g. "model", "serial_number", "setpoint" */
    double number;       /* NUMBER / INTEGER */
    const char *text;    /* TEXT */
    const char *unit;    /* unit text or NULL */
} anyserial_field_t;

/* Well-known field ids (a plugin uses them where they apply, and adds its own). */
#define ANYSERIAL_FIELD_MODEL "model"
#define ANYSERIAL_FIELD_SERIAL_NUMBER "serial_number"
#define ANYSERIAL_FIELD_FIRMWARE "firmware"
#define ANYSERIAL_FIELD_MANUFACTURER "manufacturer"

/* ---- status flags ------------------------------------------------------------------ */

#define ANYSERIAL_SEVERITY_INFO 1u    /* a state worth showing (calibrating, valve hold) */
#define ANYSERIAL_SEVERITY_WARNING 2u /* the value is suspect (alarm, over range) */
#define ANYSERIAL_SEVERITY_FAULT 3u   /* the value or the device is not to be trusted */

/* A flag set is a uint64_t: bit i is the i-th declared flag. */
#define ANYSERIAL_MAX_FLAGS 64u

typedef struct anyserial_flag_info_t {
    uint32_t struct_size;
    uint32_t severity;       /* ANYSERIAL_SEVERITY_* */
    const char *id;          /* stable, unique within the protocol: "alarm1", "HLD" */
    const char *name;        /* human name: "Alarm 1", "Valve hold" */
    const char *description; /* or NULL */
} anyserial_flag_info_t;

/* ---- channels and readings --------------------------------------------------------- */

typedef struct anyserial_channel_info_t {
    uint32_t struct_size;
    uint32_t value_type; /* ANYSERIAL_VALUE_NUMBER or _TEXT */
    const char *id;      /* stable, unique in the session: "I1", "mass_flow" */
    const char *name;    /* display name, or NULL when the device leaves it unlabelled */
    const char *kind;    /* a tag the plugin chooses: "transducer", "setpoint", "gas" */
    const char *unit;    /* unit text: "%", "vpm", "SCCM", "PSIA", "°C"; "" when none */
} anyserial_channel_info_t;

typedef struct anyserial_reading_t {
    uint32_t struct_size;
    uint32_t value_type; /* ABSENT (over-range, invalid, "--"), NUMBER or TEXT */
    const char *channel; /* a channel id of the session's table */
    /* true: the device reports this slot empty (identify leaves it out); the reading is
     * there only for a caller who asks for this channel by id, lists leave it out */
    bool unlisted;
    uint8_t reserved0[7];
    double number;
    const char *text;
    uint64_t flags; /* the flags this reading carries */
    /* What this frame itself says of the channel, overriding the table; NULL = the
     * table's. (A continuous Servomex frame carries its names and units.) */
    const char *name;
    const char *unit;
} anyserial_reading_t;

typedef struct anyserial_frame_t {
    uint32_t struct_size;
    uint32_t reading_count;
    const anyserial_reading_t *const *readings;
    uint64_t device_flags; /* flags of the device as a whole */
    uint32_t field_count;  /* device state besides readings (a clock, cal-group phases) */
    const anyserial_field_t *const *fields;
    bool has_checksum;
    bool checksum_ok;
    uint8_t reserved0[2];
    uint32_t checksum;  /* as sent by the device */
    const uint8_t *raw; /* the bytes this frame was decoded from */
    uint32_t raw_len;
    uint32_t reserved1;
} anyserial_frame_t;

/* ---- addresses --------------------------------------------------------------------- */

#define ANYSERIAL_ADDRESS_NONE 0u    /* one device per line, no address */
#define ANYSERIAL_ADDRESS_INTEGER 1u /* decimal digits, value in [min, max] (Modbus 1..247) */
/* one ASCII letter in [min, max] as character codes ('A'..'Z'); lower case accepted, given
 * to the plugin upper case */
#define ANYSERIAL_ADDRESS_LETTER 2u

typedef struct anyserial_address_syntax_t {
    uint32_t struct_size;
    uint32_t kind; /* ANYSERIAL_ADDRESS_* */
    uint32_t min, max;
    const char *default_address; /* "1", "A"; NULL when kind is NONE */
    const char *description;     /* for help and errors: "Modbus slave id 1..247" */
} anyserial_address_syntax_t;

/* ---- commands ---------------------------------------------------------------------- */

#define ANYSERIAL_SAFETY_READ_ONLY 1u      /* free */
#define ANYSERIAL_SAFETY_STATE_CHANGING 2u /* the core asks for confirmation */
#define ANYSERIAL_SAFETY_DESTRUCTIVE 3u    /* confirmation; loses data or breaks the link */

typedef struct anyserial_arg_info_t {
    uint32_t struct_size;
    uint32_t value_type; /* NUMBER, INTEGER or TEXT */
    const char *id;      /* "group", "value", "gas" */
    const char *summary;
    const char *unit; /* or NULL */
    bool optional;
    bool has_range; /* NUMBER / INTEGER: min <= value <= max */
    uint8_t reserved0[2];
    uint32_t choice_count; /* TEXT (or INTEGER): the value must be one of these; 0 = free */
    double min, max;
    const char *const *choices;
    uint32_t max_length; /* TEXT: at most this many bytes, 0 = no limit */
    uint32_t reserved1;
} anyserial_arg_info_t;

typedef struct anyserial_command_info_t {
    uint32_t struct_size;
    uint32_t safety; /* ANYSERIAL_SAFETY_* */
    const char *id;  /* stable, unique: "calibration.start", "setpoint.set" */
    const char *summary;
    uint32_t arg_count; /* arguments in this order */
    uint32_t reserved0;
    const anyserial_arg_info_t *const *args;
} anyserial_command_info_t;

/* An argument value in a request, in declared order. value_type ABSENT for an omitted
 * optional argument. The core has checked it against the declaration. */
typedef struct anyserial_arg_value_t {
    uint32_t struct_size;
    uint32_t value_type;
    double number;
    const char *text;
} anyserial_arg_value_t;

#ifdef __cplusplus
}
#endif

#endif
