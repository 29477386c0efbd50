/**
 * The exit codes of the command line, those of mosquitto_pub / mosquitto_sub / mosquitto_rr
 * 2.0 (libmosquitto's `MOSQ_ERR_*` numbers where mosquitto returns one):
 *
 * | Code      | When                                                                          |
 * | --------- | ----------------------------------------------------------------------------- |
 * | 0         | Success (also: `--help`, where mosquitto returns 1)                           |
 * | 1         | Bad arguments, unreadable input file, or the connection could not be opened   |
 * | 1..5      | MQTT 3.1/3.1.1: the CONNACK return code of a refused connection               |
 * | 128..255  | MQTT 5: the CONNACK reason code of a refused connection (e.g. 135)            |
 * | 7         | The connection was lost (`MOSQ_ERR_CONN_LOST`)                                |
 * | 27        | `-W` timed out (`MOSQ_ERR_TIMEOUT`)                                           |
 * | 255       | `-W` timed out before the broker answered the CONNECT (mosquitto's `exit(-1)`) |
 *
 * @module
 */

/** Everything went as asked. */
export const SUCCESS = 0;
/** Bad arguments or input, or no connection could be made. */
export const FAILURE = 1;
/** `MOSQ_ERR_CONN_LOST`: the connection ended before the work was done. */
export const CONNECTION_LOST = 7;
/** `MOSQ_ERR_TIMEOUT`: the `-W` time ran out. */
export const TIMED_OUT = 27;
/** `-W` ran out (or SIGINT came) before the CONNACK: mosquitto_sub calls `exit(-1)`. */
export const BEFORE_CONNACK = 255;
