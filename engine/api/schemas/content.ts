import { deviceTokens } from '../../../db/schema';
import { rowSchema } from './common';

export const deviceTokenSchema = rowSchema(deviceTokens);
