/**
 * `npm run generate`: writes the ahead-of-time compiled mission schema validator
 * (engine/mission/generated/mission-schema-validator.ts). Run after editing the mission schema.
 */
import { writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { missionValidatorSource } from '../engine/mission/validator-source.js';

// This file runs from dist/scripts/; the generated module is a source file under engine/.
const target = fileURLToPath(new URL('../../engine/mission/generated/mission-schema-validator.ts', import.meta.url));
writeFileSync(target, missionValidatorSource());
console.log(`wrote ${target}`);
