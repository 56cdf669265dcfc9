export { loadConfig } from './load-config.js';
export type { Env } from './load-config.js';
export { Secret } from './secret.js';
export {
  envString,
  envInt,
  envBool,
  envUrl,
  envEnum,
  envList,
  envHostPorts,
  envSecret,
} from './fields.js';
export {
  kafkaEnvShape,
  kafkaSettingsFromEnv,
  s3EnvShape,
  s3SettingsFromEnv,
  serviceEnvShape,
} from './common.js';
export type { KafkaEnv, S3Env } from './common.js';
export { localStack, localStackServiceEnv } from './local-stack.js';
export type { LocalStack } from './local-stack.js';
