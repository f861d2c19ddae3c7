/** Configuration of the LLM layer: layering (mission over project over defaults). */
export { mergeLlmConfig } from './merge-config.js';
