/**
 * Wall-clock time with nanoseconds and C's `strftime` in local time, for the time fields of
 * `-F` (`%I`, `%U`, `@…`) and the JSON `tst`.
 *
 * @module
 */

/** A moment: the `Date` (milliseconds) and the nanoseconds within its second. */
export interface WallTime {
  readonly date: Date;
  /** Nanoseconds since the start of the second, 0 to 999,999,999. */
  readonly nanoseconds: number;
  /** Whole seconds since the Unix epoch. */
  readonly seconds: number;
}

/** Now, to the microsecond where the runtime's clock gives it. */
export function wallTime(): WallTime {
  const ms = performance.timeOrigin + performance.now();
  const seconds = Math.floor(ms / 1000);
  const nanoseconds = Math.min(999_999_999, Math.max(0, Math.round((ms - seconds * 1000) * 1e6)));
  return { date: new Date(seconds * 1000 + Math.floor(nanoseconds / 1e6)), nanoseconds, seconds };
}

const DAYS = ["Sunday", "Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday"];
const MONTHS = [
  "January",
  "February",
  "March",
  "April",
  "May",
  "June",
  "July",
  "August",
  "September",
  "October",
  "November",
  "December",
];

const pad = (value: number, width: number, fill = "0") => String(value).padStart(width, fill);

/** The `±hhmm` offset of local time at `date` (`%z`). */
function offset(date: Date): string {
  const minutes = -date.getTimezoneOffset();
  const sign = minutes < 0 ? "-" : "+";
  const abs = Math.abs(minutes);
  return `${sign}${pad(Math.floor(abs / 60), 2)}${pad(abs % 60, 2)}`;
}

/** The local time zone's abbreviation at `date` (`%Z`), e.g. "UTC", "CET". */
function zoneName(date: Date): string {
  if (date.getTimezoneOffset() === 0 && /^(UTC|Etc\/UTC|GMT|)$/.test(localZone())) return "UTC";
  const part = new Intl.DateTimeFormat("en-US", { timeZoneName: "short" })
    .formatToParts(date)
    .find((p) => p.type === "timeZoneName");
  return part?.value ?? "";
}

function localZone(): string {
  try {
    return Intl.DateTimeFormat().resolvedOptions().timeZone ?? "";
  } catch {
    return "";
  }
}

/** Day of the year, 1 to 366. */
function dayOfYear(date: Date): number {
  const start = new Date(date.getFullYear(), 0, 1);
  return Math.round(
    (+new Date(date.getFullYear(), date.getMonth(), date.getDate()) - +start) /
      86_400_000,
  ) + 1;
}

/** One `strftime` conversion (the character after `%`), or undefined when it has none. */
export function strftimeField(spec: string, time: WallTime): string | undefined {
  const d = time.date;
  const hour12 = d.getHours() % 12 === 0 ? 12 : d.getHours() % 12;
  switch (spec) {
    case "a":
      return DAYS[d.getDay()]!.slice(0, 3);
    case "A":
      return DAYS[d.getDay()]!;
    case "b":
    case "h":
      return MONTHS[d.getMonth()]!.slice(0, 3);
    case "B":
      return MONTHS[d.getMonth()]!;
    case "c":
      return `${strftime("%a %b %e %H:%M:%S %Y", time)}`;
    case "C":
      return pad(Math.floor(d.getFullYear() / 100), 2);
    case "d":
      return pad(d.getDate(), 2);
    case "D":
    case "x":
      return strftime("%m/%d/%y", time);
    case "e":
      return pad(d.getDate(), 2, " ");
    case "F":
      return strftime("%Y-%m-%d", time);
    case "H":
      return pad(d.getHours(), 2);
    case "I":
      return pad(hour12, 2);
    case "j":
      return pad(dayOfYear(d), 3);
    case "k":
      return pad(d.getHours(), 2, " ");
    case "l":
      return pad(hour12, 2, " ");
    case "m":
      return pad(d.getMonth() + 1, 2);
    case "M":
      return pad(d.getMinutes(), 2);
    case "n":
      return "\n";
    case "p":
      return d.getHours() < 12 ? "AM" : "PM";
    case "P":
      return d.getHours() < 12 ? "am" : "pm";
    case "r":
      return strftime("%I:%M:%S %p", time);
    case "R":
      return strftime("%H:%M", time);
    case "s":
      return String(time.seconds);
    case "S":
      return pad(d.getSeconds(), 2);
    case "t":
      return "\t";
    case "T":
    case "X":
      return strftime("%H:%M:%S", time);
    case "u":
      return String(d.getDay() === 0 ? 7 : d.getDay());
    case "w":
      return String(d.getDay());
    case "y":
      return pad(d.getFullYear() % 100, 2);
    case "Y":
      return String(d.getFullYear());
    case "z":
      return offset(d);
    case "Z":
      return zoneName(d);
    case "%":
      return "%";
    default:
      return undefined;
  }
}

/** C's `strftime(pattern)` in local time, for the conversions {@link strftimeField} knows. */
export function strftime(pattern: string, time: WallTime): string {
  return pattern.replace(/%(.)/gs, (whole, spec: string) => strftimeField(spec, time) ?? whole);
}
