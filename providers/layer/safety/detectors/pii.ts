/**
 * Personal-data detectors: e-mail addresses, phone numbers (libphonenumber-js decides what is a
 * real number), payment cards (Luhn plus issuer prefixes), IBANs (ibantools' checksum), US social
 * security numbers and IP addresses (v4 and v6).
 */
import { createRequire } from 'node:module';
import { isIPv6 } from 'node:net';
import { electronicFormatIBAN, validateIBAN, ValidationErrorsIBAN } from 'ibantools';
import type { CountryCode } from 'libphonenumber-js/max';
import type { Detector } from '../types.js';
import { regexDetector } from './regex-detector.js';

const email = regexDetector({
  id: 'pii.email',
  category: 'pii',
  reason: 'an e-mail address (personal data)',
  // Local part ≤ 64, at most four labels of ≤ 63: bounded, so the stream hold-back is too.
  // Not a URL's user name (scheme://user@host), not an scp-style git remote (git@host:path).
  pattern: /(?<![A-Za-z0-9._%+-]|\/\/)[A-Za-z0-9][A-Za-z0-9._%+-]{0,63}@(?:[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?\.){1,4}[A-Za-z]{2,24}(?![A-Za-z0-9-]|:[\w~/.-])/g,
  maxLength: 64 + 1 + 4 * 64 + 24,
  mayMatch: (text) => text.includes('@'),
});

/** Luhn's checksum over a string of digits. */
export function luhnValid(digits: string): boolean {
  let sum = 0;
  let double = false;
  for (let index = digits.length - 1; index >= 0; index--) {
    let digit = digits.charCodeAt(index) - 48;
    if (double) {
      digit *= 2;
      if (digit > 9) digit -= 9;
    }
    sum += digit;
    double = !double;
  }
  return sum % 10 === 0;
}

/** Whether the digits start like a card of a known network, with a length that network issues. */
function issuerLength(digits: string): boolean {
  const length = digits.length;
  const two = Number(digits.slice(0, 2));
  const four = Number(digits.slice(0, 4));
  if (digits[0] === '4') return length === 13 || length === 16 || length === 19; // Visa
  if ((two >= 51 && two <= 55) || (four >= 2221 && four <= 2720)) return length === 16; // Mastercard
  if (two === 34 || two === 37) return length === 15; // Amex
  if (digits.startsWith('6011') || two === 65 || (four >= 6440 && four <= 6499)) return length >= 16 && length <= 19; // Discover
  if (four >= 3528 && four <= 3589) return length >= 16 && length <= 19; // JCB
  if (two === 36 || two === 38 || (four >= 3000 && four <= 3059)) return length >= 14 && length <= 19; // Diners
  if (two === 62) return length >= 16 && length <= 19; // UnionPay
  if (['50', '56', '57', '58', '63', '67'].includes(digits.slice(0, 2))) return length >= 12 && length <= 19; // Maestro
  return false;
}

const card = regexDetector({
  id: 'pii.card',
  category: 'pii',
  reason: 'a payment card number (valid Luhn checksum and issuer prefix)',
  pattern: /(?<![\d.-])\d(?:[ -]?\d){11,18}(?![\d]|[.-]\d)/g,
  maxLength: 19 * 2,
  accept(candidate) {
    const separators = candidate.match(/[ -]/g) ?? [];
    // One kind of separator, as cards are written (4-4-4-4, 4-6-5), not a mix.
    if (separators.length > 0 && new Set(separators).size > 1) return false;
    const digits = candidate.replace(/[ -]/g, '');
    return issuerLength(digits) && luhnValid(digits);
  },
});

/** Whether a candidate is an IBAN: country format and the ISO 13616 mod-97 checksum. */
function validIban(candidate: string): boolean {
  const electronic = electronicFormatIBAN(candidate);
  if (electronic === null) return false;
  // The national check digits some countries add inside the BBAN are the bank's business; the
  // mod-97 checksum and the country's BBAN format are what make an IBAN.
  const { errorCodes } = validateIBAN(electronic);
  return errorCodes.every((code) => code === ValidationErrorsIBAN.WrongAccountBankBranchChecksum);
}

const ibanCandidate = /(?<![A-Za-z0-9])[A-Z]{2}\d{2}(?: ?[A-Z0-9]{4}){2,7}(?: ?[A-Z0-9]{1,4})?(?![A-Za-z0-9])/g;
const iban: Detector = {
  id: 'pii.iban',
  category: 'pii',
  reason: 'an IBAN (valid checksum)',
  maxLength: 4 + 8 * 5,
  direction: 'both',
  find(text) {
    const spans: Array<{ start: number; end: number }> = [];
    for (const match of text.matchAll(ibanCandidate)) {
      // A spaced IBAN may have swallowed the next word ("… 0550 BY"): drop trailing groups until valid.
      let candidate = match[0];
      while (!validIban(candidate)) {
        const shorter = candidate.replace(/ ?[A-Z0-9]{1,4}$/, '');
        if (shorter === candidate || shorter.length < 15) {
          candidate = '';
          break;
        }
        candidate = shorter;
      }
      if (candidate) spans.push({ start: match.index, end: match.index + candidate.length });
    }
    return spans;
  },
};

const ssnContext = /(ssn|social security|soc\.? sec)[^\n]{0,24}$/i;
const usSsn = regexDetector({
  id: 'pii.us_ssn',
  category: 'pii',
  reason: 'a US social security number',
  // Dashed or spaced always counts; nine bare digits only right after words that name an SSN.
  pattern: /(?<![\d-])(?!000|666|9\d\d)(\d{3})([- ]?)(?!00)\d{2}\2(?!0000)\d{4}(?![\d-])/g,
  maxLength: 11,
  accept: (candidate, text, start) => /[- ]/.test(candidate) || ssnContext.test(text.slice(Math.max(0, start - 40), start)),
});

const octet = '(?:25[0-5]|2[0-4]\\d|1\\d\\d|[1-9]?\\d)';
const ipv4 = regexDetector({
  id: 'pii.ip',
  category: 'pii',
  reason: 'an IP address',
  pattern: new RegExp(`(?<![\\d.])${octet}(?:\\.${octet}){3}(?![\\d]|\\.\\d)`, 'g'),
  maxLength: 15,
  // Loopback, "any" and netmasks identify nobody.
  accept: (candidate, text, start) => !/^(127\.|0\.0\.0\.0$|255\.)/.test(candidate) && !/(?:version|ver\.?|\bv)\s?$/i.test(text.slice(Math.max(0, start - 9), start)),
});

const ipv6Pattern = /(?<![0-9A-Za-z:.])(?:[0-9A-Fa-f]{0,4}:){2,7}[0-9A-Fa-f]{0,4}(?:(?<=:)\d{1,3}(?:\.\d{1,3}){3})?(?![0-9A-Za-z:])/g;
const ipv6: Detector = regexDetector({
  id: 'pii.ip',
  category: 'pii',
  reason: 'an IP address',
  pattern: ipv6Pattern,
  maxLength: 45,
  mayMatch: (text) => text.includes(':'),
  accept: (candidate) => candidate.length >= 6 && /\d/.test(candidate) && candidate !== '::1' && isIPv6(candidate),
});

const digitGroups = (value: string): string => value.split(/\D+/).filter(Boolean).map((group) => group.length).join(',');

/**
 * Whether a number libphonenumber-js accepts is written as a phone number: not glued to an
 * identifier (`NJ-2082820799`, `#2082820799`), and, when written in groups without a `+`, grouped
 * as the country writes its numbers (`6453-568148` is an invoice number, `(415) 555-2671` a phone).
 */
function plausiblyWritten(text: string, start: number, end: number, national: string): boolean {
  if (/[A-Za-z0-9_][-/]?$|#$/.test(text.slice(Math.max(0, start - 2), start))) return false;
  const written = text.slice(start, end);
  if (written.startsWith('+')) return true;
  const groups = digitGroups(written);
  return !groups.includes(',') || groups === digitGroups(national);
}

/**
 * Candidate phone numbers: an optional `+`, digits in groups separated by spaces, dots, dashes or
 * parentheses, 7 to 20 digits in all. libphonenumber-js then decides (its own text matcher is
 * correct too, but ten times slower on long texts).
 */
const phoneCandidate = /(?<![\w+.-])(?:\+\d{1,3}[\s.-]?)?(?:\(\d{1,5}\)[\s.-]?)?\d{1,12}(?:[\s.-]\d{1,8}){0,6}(?![\w]|[.-]\d)/g;

type PhoneParser = typeof import('libphonenumber-js/max').parsePhoneNumberFromString;
let phoneParser: PhoneParser | undefined;
/**
 * libphonenumber-js (with its full metadata) loads on the first phone-number candidate: it is over a
 * hundred modules, which `mission validate` and runs that never scan for phone numbers should not load.
 */
function parsePhoneNumberFromString(...args: Parameters<PhoneParser>): ReturnType<PhoneParser> {
  phoneParser ??= (createRequire(import.meta.url)('libphonenumber-js/max') as typeof import('libphonenumber-js/max')).parsePhoneNumberFromString;
  return phoneParser(...args);
}

/** Phone numbers as libphonenumber-js reads them: valid numbers of a real numbering plan. */
function phoneDetector(defaultCountry: CountryCode): Detector {
  return {
    id: 'pii.phone',
    category: 'pii',
    reason: 'a phone number',
    maxLength: 32,
    direction: 'both',
    find(text) {
      const spans: Array<{ start: number; end: number }> = [];
      for (const match of text.matchAll(phoneCandidate)) {
        const written = match[0].trim();
        const digits = written.replace(/\D/g, '').length;
        if (digits < 7 || digits > 17) continue;
        const number = parsePhoneNumberFromString(written, defaultCountry);
        if (!number || !number.isValid()) continue;
        const start = match.index;
        const end = start + written.length;
        if (plausiblyWritten(text, start, end, number.formatNational())) spans.push({ start, end });
      }
      return spans;
    },
  };
}

/** The personal-data detectors; numbers without a `+` prefix are read as `defaultCountry`'s. */
export function piiDetectors(defaultCountry: CountryCode = 'US'): Detector[] {
  return [email, phoneDetector(defaultCountry), card, iban, usSsn, ipv4, ipv6];
}
