/**
 * Personal-data items: positives for each `pii.*` rule in the formats people write them, and hard
 * negatives — numbers and strings that look like personal data but are not (order numbers,
 * ISBNs, UUIDs, hashes, timestamps, versions, prices, invalid checksums).
 */
import type { CorpusItem } from './item.js';
import { hex, lower, upper, type Random } from './random.js';

const firstNames = ['jane', 'john', 'maria', 'wei', 'aisha', 'oliver', 'sofia', 'lucas', 'yuki', 'fatima', 'noah', 'emma', 'liam', 'olga', 'pierre', 'anna', 'raj', 'chen', 'ali', 'zoe'];
const lastNames = ['smith', 'garcia', 'muller', 'wang', 'khan', 'brown', 'rossi', 'silva', 'tanaka', 'haddad', 'novak', 'dubois', 'kowalski', 'patel', 'kim', 'nguyen', 'jones', 'schmidt', 'lopez', 'ivanova'];
const domains = ['example.com', 'mail.example.org', 'corp.example.co.uk', 'uni-example.edu', 'example.de', 'post.example.fr', 'example.io', 'sub.dept.example.com', 'example.com.au', 'example.jp'];
const carriers = [
  (value: string) => `Please send the report to ${value} by Friday.`,
  (value: string) => `Contact: ${value}`,
  (value: string) => `My details are ${value}, thanks!`,
  (value: string) => `"${value}" was added to the mailing list`,
  (value: string) => `Reach out (${value}) if anything breaks.`,
  (value: string) => `customer=${value};status=active`,
  (value: string) => `Hola, mi dato es ${value}. Gracias.`,
  (value: string) => `Kontakt bitte über ${value} aufnehmen.`,
  (value: string) => `${value}`,
  (value: string) => `- owner: ${value}\n- team: platform`,
];

function luhnComplete(partial: string): string {
  let sum = 0;
  let double = true;
  for (let index = partial.length - 1; index >= 0; index--) {
    let digit = Number(partial[index]);
    if (double) {
      digit *= 2;
      if (digit > 9) digit -= 9;
    }
    sum += digit;
    double = !double;
  }
  return `${partial}${(10 - (sum % 10)) % 10}`;
}

function cardNumber(random: Random): { digits: string; groups: number[] } {
  const brand = random.int(0, 4);
  if (brand === 0) return { digits: luhnComplete(`4${random.digits(14)}`), groups: [4, 4, 4, 4] };
  if (brand === 1) return { digits: luhnComplete(`5${random.int(1, 5)}${random.digits(13)}`), groups: [4, 4, 4, 4] };
  if (brand === 2) return { digits: luhnComplete(`3${random.pick(['4', '7'])}${random.digits(12)}`), groups: [4, 6, 5] };
  if (brand === 3) return { digits: luhnComplete(`6011${random.digits(11)}`), groups: [4, 4, 4, 4] };
  return { digits: luhnComplete(`2${random.int(221, 720)}${random.digits(11)}`), groups: [4, 4, 4, 4] };
}

function grouped(digits: string, groups: number[], separator: string): string {
  const parts: string[] = [];
  let index = 0;
  for (const size of groups) {
    parts.push(digits.slice(index, index + size));
    index += size;
  }
  return parts.join(separator);
}

function mod97(value: string): number {
  let remainder = 0;
  for (const character of value) remainder = (remainder * 10 + Number(character)) % 97;
  return remainder;
}

function iban(random: Random): string {
  const country = random.pick([
    ['DE', () => random.digits(18)],
    ['GB', () => `${random.chars(upper, 4)}${random.digits(14)}`],
    ['FR', () => `${random.digits(10)}${random.chars(upper + '0123456789', 11)}${random.digits(2)}`],
    ['ES', () => random.digits(20)],
    ['NL', () => `${random.chars(upper, 4)}${random.digits(10)}`],
    ['IT', () => `${random.chars(upper, 1)}${random.digits(10)}${random.digits(12)}`],
    ['BE', () => random.digits(12)],
    ['CH', () => random.digits(17)],
  ] as const);
  const bban = country[1]();
  const numeric = `${bban}${country[0]}00`.replace(/[A-Z]/g, (letter) => String(letter.charCodeAt(0) - 55));
  const check = String(98 - mod97(numeric)).padStart(2, '0');
  return `${country[0]}${check}${bban}`;
}

function phone(random: Random): string {
  const area = random.pick(['212', '415', '312', '617', '206', '303', '512', '646', '720', '919']);
  const exchange = `${random.int(2, 9)}${random.digits(2)}`;
  const line = random.digits(4);
  return random.pick([
    `(${area}) ${exchange}-${line}`,
    `${area}-${exchange}-${line}`,
    `${area}.${exchange}.${line}`,
    `+1 ${area} ${exchange} ${line}`,
    `+1-${area}-${exchange}-${line}`,
    `+44 20 7${random.digits(3)} ${random.digits(4)}`,
    `+44 7${random.int(400, 999)} ${random.digits(6)}`,
    `+49 30 ${random.digits(8)}`,
    `+49 151 ${random.digits(8)}`,
    `+33 1 ${random.digits(2)} ${random.digits(2)} ${random.digits(2)} ${random.digits(2)}`,
    `+33 6 ${random.digits(2)} ${random.digits(2)} ${random.digits(2)} ${random.digits(2)}`,
    `+91 98${random.digits(3)} ${random.digits(5)}`,
    `+81 3-${random.digits(4)}-${random.digits(4)}`,
    `+61 4${random.digits(2)} ${random.digits(3)} ${random.digits(3)}`,
    `+34 6${random.digits(2)} ${random.digits(3)} ${random.digits(3)}`,
    `+39 3${random.digits(2)} ${random.digits(3)} ${random.digits(4)}`,
    `+55 11 9${random.digits(4)}-${random.digits(4)}`,
  ]);
}

function ssn(random: Random): string {
  const area = String(random.int(1, 665)).padStart(3, '0');
  const group = String(random.int(1, 99)).padStart(2, '0');
  const serial = String(random.int(1, 9999)).padStart(4, '0');
  return `${area}-${group}-${serial}`;
}

function ipv4(random: Random): string {
  return random.pick([
    () => `${random.int(11, 223)}.${random.int(0, 255)}.${random.int(0, 255)}.${random.int(1, 254)}`,
    () => `192.168.${random.int(0, 255)}.${random.int(1, 254)}`,
    () => `10.${random.int(0, 255)}.${random.int(0, 255)}.${random.int(1, 254)}`,
  ])();
}

function ipv6(random: Random): string {
  const group = () => random.chars(hex, random.int(1, 4));
  return random.pick([
    () => Array.from({ length: 8 }, group).join(':'),
    () => `2001:db8::${group()}:${group()}`,
    () => `fe80::${group()}:${group()}:${group()}:${group()}`,
    () => `2a00:1450:${group()}:${group()}::${group()}`,
  ])();
}

/** The personal-data part of the corpus. */
export function piiItems(random: Random): CorpusItem[] {
  const items: CorpusItem[] = [];
  const add = (rule: string | null, value: string | undefined, text: string) => items.push({ id: `pii-${items.length + 1}`, family: 'pii', rule, value, text });
  for (let index = 0; index < 60; index++) {
    const name = `${random.pick(firstNames)}${random.pick(['.', '_', '-', '', '+news.'])}${random.pick(lastNames)}${random.pick(['', '', String(random.int(1, 99))])}`;
    const value = `${random.next() < 0.2 ? name.toUpperCase() : name}@${random.pick(domains)}`;
    add('pii.email', value, random.pick(carriers)(value));
  }
  for (let index = 0; index < 60; index++) {
    const value = phone(random);
    add('pii.phone', value, random.pick([`Call me on ${value} after 6pm.`, `Tel: ${value}`, `phone: ${value}`, `Mobil: ${value}`, `Mi número es ${value}.`, `You can reach the office at ${value} (ask for Sam).`]));
  }
  for (let index = 0; index < 60; index++) {
    const card = cardNumber(random);
    const value = random.pick([' ', '-', '']) === '' ? card.digits : grouped(card.digits, card.groups, random.pick([' ', '-']));
    add('pii.card', value, random.pick([`Card number: ${value}, exp 09/27`, `charge ${value} please`, `my visa is ${value}`, `CC=${value}`, `Tarjeta ${value} caduca pronto`, `${value}`]));
  }
  for (let index = 0; index < 50; index++) {
    const raw = iban(random);
    const value = random.next() < 0.5 ? raw : raw.replace(/(.{4})/g, '$1 ').trim();
    add('pii.iban', value, random.pick([`IBAN: ${value}`, `Please wire it to ${value} by Monday.`, `Bankverbindung ${value}`, `compte ${value}`, `iban=${value}`]));
  }
  for (let index = 0; index < 40; index++) {
    const value = ssn(random);
    const bare = value.replace(/-/g, '');
    if (index % 4 === 3) add('pii.us_ssn', bare, `SSN: ${bare}`);
    else add('pii.us_ssn', value, random.pick([`SSN ${value}`, `social security number: ${value}`, `his number is ${value} on the W-2`, `${value}`]));
  }
  for (let index = 0; index < 50; index++) {
    const value = index % 2 === 0 ? ipv4(random) : ipv6(random);
    add('pii.ip', value, random.pick([`Login from ${value} at 10:42`, `client_ip=${value}`, `blocked host ${value}`, `The request came from [${value}]`, `ssh admin@${value}`]));
  }

  // Hard negatives.
  const negatives: Array<() => string> = [
    () => `Order #${random.digits(9)} has shipped.`,
    () => `Your order number is ${random.chars(upper, 2)}-${random.digits(10)}.`,
    () => `Invoice ${random.digits(4)}-${random.digits(6)} is due.`,
    () => `ISBN 978-${random.int(0, 1)}-${random.digits(3)}-${random.digits(5)}-${random.digits(1)}`,
    () => `ISBN-10: ${random.digits(9)}X`,
    () => `id: ${random.chars(hex, 8)}-${random.chars(hex, 4)}-4${random.chars(hex, 3)}-a${random.chars(hex, 3)}-${random.chars(hex, 12)}`,
    () => `commit ${random.chars(hex, 40)}`,
    () => `fixed in ${random.chars(hex, 7)} and ${random.chars(hex, 7)}`,
    () => `sha256: ${random.chars(hex, 64)}`,
    () => `2024-0${random.int(1, 9)}-1${random.int(0, 9)}T1${random.int(0, 9)}:${random.int(10, 59)}:${random.int(10, 59)}Z`,
    () => `timestamp=${random.int(1600000000, 1800000000)}`,
    () => `ts_ms=${random.int(1600000000, 1800000000)}${random.digits(3)}`,
    () => `upgrade to version ${random.int(1, 20)}.${random.int(0, 30)}.${random.int(0, 99)}`,
    () => `Windows version 10.0.${random.int(10000, 22999)}.${random.int(1, 999)}`,
    () => `Total: $${random.int(1, 99)},${random.digits(3)}.${random.digits(2)}`,
    () => `Tracking: 1Z${random.chars(upper + '0123456789', 16)}`,
    () => `Room ${random.int(100, 999)}, building ${random.int(1, 20)}`,
    () => `coordinates ${random.int(-89, 89)}.${random.digits(6)}, ${random.int(-179, 179)}.${random.digits(6)}`,
    () => `pi is about 3.${random.digits(15)}`,
    () => `card 1234 5678 9012 34${random.int(10, 99)} is the format example`,
    () => `${random.digits(16)}`.replace(/^./, '9'),
    () => `account ${random.digits(4)} ${random.digits(4)} ${random.digits(4)} ${random.digits(4)}`.replace(/account (\d)/, 'account 9$1'),
    () => `IBAN check: DE00 ${random.digits(4)} ${random.digits(4)} ${random.digits(4)} ${random.digits(4)} ${random.digits(2)}`,
    () => `SSN placeholder 000-${random.digits(2)}-${random.digits(4)}`,
    () => `reference 9${random.digits(2)}-${random.digits(2)}-${random.digits(4)}`,
    () => `Call 123-456-${random.digits(4)} is not a real number`,
    () => `the meeting is at ${random.int(10, 12)}:${random.int(10, 59)}:${random.int(10, 59)}`,
    () => `std::vector<int> v; std::map<std::string, int> m;`,
    () => `MAC ${Array.from({ length: 6 }, () => random.chars(hex, 2).toUpperCase()).join(':')}`,
    () => `import { Component } from '@angular/core'; @Component({ selector: 'app-${random.pick(lower)}' })`,
    () => `npm install @types/node@${random.int(16, 22)}.${random.int(0, 20)}.${random.int(0, 9)}`,
    () => `follow us @${random.pick(firstNames)}_${random.pick(lastNames)} on social`,
    () => `git clone git@github.com:${random.pick(firstNames)}/${random.pick(lastNames)}.git`,
    () => `listening on 127.0.0.1:${random.int(1024, 65535)} and 0.0.0.0:${random.int(1024, 65535)}`,
    () => `netmask 255.255.255.${random.pick(['0', '128', '192', '240'])}`,
    () => `the answer is ${random.int(1, 999)}.${random.int(1, 999)}.${random.int(1, 999)}.${random.int(1, 999)}.${random.int(1, 999)} in dotted form`,
    () => `zip code ${random.digits(5)}-${random.digits(4)}`,
    () => `part no. ${random.chars(upper, 3)}-${random.digits(5)}-${random.chars(upper, 2)}`,
    () => `color #${random.chars(hex, 6)} and rgb(${random.int(0, 255)}, ${random.int(0, 255)}, ${random.int(0, 255)})`,
    () => `see RFC ${random.int(1000, 9999)} section ${random.int(1, 9)}.${random.int(1, 9)}.${random.int(1, 9)}`,
    () => `population ${random.int(1, 999)},${random.digits(3)},${random.digits(3)}`,
    () => `batch ${random.digits(12)} processed`,
  ];
  for (let index = 0; index < 340; index++) add(null, undefined, negatives[index % negatives.length]!());
  return items;
}
