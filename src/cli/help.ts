/**
 * The `--help` texts of `korero`, `korero pub`, `korero sub` and `korero req`.
 *
 * @module
 */

import type { Command } from "./config.ts";

/** The version the command line reports with `--version`. */
export const VERSION = "0.1.0";

const CONNECTION = `
Connection:
 -h host       broker host (default localhost)
 -p port       broker port (default 1883, 8883 with --cafile; 8883 means TLS)
 -L URL        mqtt(s)://[username[:password]@]host[:port]/topic
 --unix path   connect through a unix domain socket
 -V version    MQTT version: 31, 311, 5 (or mqttv31, mqttv311, mqttv5; default 311)
 -i id         client id (default: a random korero-… id)
 -I prefix     client id = prefix + process id
 -u username   user name
 -P password   password
 -k keepalive  keepalive in seconds, 5..65535 (default 60)
 -c            no clean session / clean start (a persistent session; needs -i)
 -x seconds    MQTT 5 session expiry interval (-1 or ∞: never; default 0, -1 with -c)
 -D command property value
               an MQTT 5 property (sets -V 5), as mosquitto's -D: command is connect,
               publish, subscribe, unsubscribe, disconnect or will; e.g.
               -D publish user-property key value, -D connect session-expiry-interval 60,
               -D publish message-expiry-interval 30, -D publish content-type text/plain
 --will-topic topic     the will's topic
 --will-payload text    the will's payload (empty if not given)
 --will-qos qos         the will's QoS
 --will-retain          the will is retained
 -d            debug: print every packet sent and received
 --quiet       do not print error messages
 --help        this text

TLS:
 --cafile file         trust the CA certificates in this PEM file (turns TLS on)
 --cert file           client certificate (PEM), with --key
 --key file            client private key (PEM), with --cert
 --tls-use-os-certs    TLS, trusting the runtime's CA certificates
 --insecure            do not check that the server certificate names the host (the
                       chain is still verified)
 --tls-alpn protocol   the TLS ALPN protocol to offer
 -A address            the local address to connect from (Bun, Node; not Deno)
 --proxy url           tunnel through socks5h://[user:pass@]host:port or http://…
 -S                    find the brokers of the -h domain in its DNS SRV records
 (--capath, --ciphers, --tls-version, --tls-engine, --keyform, --psk, --psk-identity:
 not supported; each exits with an error naming it)
`;

const OUTPUT = `
Output:
 -v            print "topic payload" (an empty payload as "topic (null)")
 -N            no newline after each message
 -F format     print each message as format says:
               %t topic  %p payload  %x / %X payload in hex  %l payload length
               %q QoS  %r retained (0/1)  %m message id  %U Unix time.nanoseconds
               %I ISO 8601 time  %j JSON (payload as a string)  %J JSON (JSON payload)
               %P user properties (k:v …)  %C content type  %D correlation data
               %E message expiry  %F payload format  %R response topic
               %S subscription id  %% a %; flags: %-10t %08l %.5p (align, zero pad,
               width, precision); @Y @m @d @H @M @S … strftime fields, @N nanoseconds,
               @@ an @; escapes \\n \\t \\r \\v \\a \\e \\0 \\\\
 --pretty      indented JSON for %j / %J
`;

const EXIT = `
Exit codes (mosquitto's): 0 success; 1 bad arguments, unreadable file or no connection;
the CONNACK code when the broker refuses (MQTT 3.1.1: 1..5, MQTT 5: e.g. 135);
7 connection lost; 27 -W timed out.
`;

/** The `--help` text of `command`, or of `korero` itself. */
export function usage(command: Command | undefined): string {
  switch (command) {
    case "pub":
      return `korero pub: publish one message, a file, or each line of stdin, then exit.
korero ${VERSION} (mosquitto_pub's flags).

Usage: korero pub {[-h host] [-p port] [-u username] [-P password] -t topic | -L URL}
                  {-f file | -l | -n | -m message | -s}
                  [-q qos] [-r] [--repeat N] [--repeat-delay seconds] [-M max_inflight]
                  [-c] [-k keepalive] [-x session-expiry] [-i id] [-I id_prefix] [-V version]
                  [-d] [--quiet] [-D command property value]
                  [--will-topic topic [--will-payload payload] [--will-qos qos] [--will-retain]]
                  [--cafile file [--cert file --key file]] [--tls-use-os-certs]

Message:
 -t topic      the topic to publish to
 -m message    the message
 -f file       the file's bytes as the message
 -s            all of stdin as the message
 -l            each line of stdin as a message (without its newline)
 -n            an empty (zero length) message
 -q qos        0, 1 or 2 (default 0)
 -r            retain the message
 --repeat N    publish the message N times (-m, -f, -s, -n)
 --repeat-delay seconds
               wait this long between repeats
 -M count      at most this many QoS 1/2 messages in flight (default 20)
${CONNECTION}${EXIT}`;
    case "sub":
      return `korero sub: subscribe and print the messages received.
korero ${VERSION} (mosquitto_sub's flags).

Usage: korero sub {[-h host] [-p port] [-u username] [-P password] -t topic | -L URL [-t topic]}
                  [-q qos] [-C count] [-W seconds] [-E] [-R] [--retained-only]
                  [--remove-retained] [-T filter_out] [-U topic] [--retain-as-published]
                  [-v] [-N] [-F format] [--pretty] [--random-filter percent]
                  [-c] [-k keepalive] [-x session-expiry] [-i id] [-I id_prefix] [-V version]
                  [-d] [--quiet] [-D command property value]
                  [--will-topic topic [--will-payload payload] [--will-qos qos] [--will-retain]]
                  [--cafile file [--cert file --key file]] [--tls-use-os-certs]

Subscription:
 -t filter     a topic filter to subscribe to (repeatable)
 -q qos        the QoS to subscribe with (default 0)
 -C count      exit after printing this many messages
 -W seconds    exit with code 27 after this many seconds
 -E            exit once the subscriptions are acknowledged
 -R            do not print retained (stale) messages (MQTT 5: not even sent)
 --retained-only     print only retained messages; exit at the first one that is not
 --remove-retained   clear each retained message received (an empty retained publish)
 -T filter     do not print messages matching this filter (repeatable)
 -U filter     unsubscribe from this filter after subscribing (repeatable)
 --retain-as-published   MQTT 5: keep the retain flag as published
 --random-filter percent print only this share of the messages, at random
${OUTPUT}${CONNECTION}${EXIT}`;
    case "req":
      return `korero req: MQTT 5 request/response: publish a request with a response topic and
correlation data, wait for the response, print it, exit.
korero ${VERSION} (mosquitto_rr's flags).

Usage: korero req {[-h host] [-p port] [-u username] [-P password] -t topic | -L URL}
                  {-f file | -n | -m message | -s} [-e response-topic]
                  [-q qos] [-W seconds] [-v] [-N] [-F format] [--pretty] [-R]
                  [-c] [-k keepalive] [-x session-expiry] [-i id] [-I id_prefix]
                  [-d] [--quiet] [-D command property value]
                  [--will-topic topic [--will-payload payload] [--will-qos qos] [--will-retain]]
                  [--cafile file [--cert file --key file]] [--tls-use-os-certs]

Request:
 -t topic      the topic to send the request to
 -m message, -f file, -s, -n
               the request's payload (as for pub)
 -e topic      the response topic to subscribe to and name in the request
               (default: <client id>/responses/<random>)
 -q qos        the QoS of the request and of the response subscription
 -W seconds    give up after this many seconds (exit code 27)
 -D publish correlation-data text
               the correlation data (default: 16 random bytes); the first response
               on the response topic carrying it is printed
${OUTPUT}${CONNECTION}${EXIT}`;
    default:
      return `korero ${VERSION}: an MQTT command line (mosquitto_pub, mosquitto_sub and
mosquitto_rr's flags and exit codes) on the korero client.

Usage: korero pub …   publish (korero pub --help)
       korero sub …   subscribe and print (korero sub --help)
       korero req …   MQTT 5 request/response (korero req --help)
       korero --help  this text
       korero --version
`;
  }
}
