import { TwoFactor1795910007596 } from './1795910007596-TwoFactor';
import { Authenticator1795913855559 } from './1795913855559-Authenticator';
import { ChallengeDelivered1795914459796 } from './1795914459796-ChallengeDelivered';
import { InitialSchema1795908043080 } from './1795908043080-InitialSchema';
import { Sessions1795990000000 } from './1795990000000-Sessions';
import { SecondFactorAtomic1796000000000 } from './1796000000000-SecondFactorAtomic';
import { SessionAcr1796000000001 } from './1796000000001-SessionAcr';
import { SignInProof1796000000002 } from './1796000000002-SignInProof';
import { ChannelTls1796100000000 } from './1796100000000-ChannelTls';
import { PrecisUsernames1796200000000 } from './1796200000000-PrecisUsernames';
import { Webhooks1796300000000 } from './1796300000000-Webhooks';
import { RecoveryCodes1796400000000 } from './1796400000000-RecoveryCodes';
import { RememberedDevices1796500000000 } from './1796500000000-RememberedDevices';
import { SelfServiceRegistration1796600000000 } from './1796600000000-SelfServiceRegistration';
import { EmailTemplates1796700000000 } from './1796700000000-EmailTemplates';
import { WebhookJobQueue1796800000000 } from './1796800000000-WebhookJobQueue';

/**
 * Every migration, in order. A new one (npm run migration:generate -- migrations/Name) is added
 * here by hand: an explicit list loads the same way under ts-node, Jest and the compiled build.
 */
export const ALL_MIGRATIONS = [
  InitialSchema1795908043080,
  TwoFactor1795910007596,
  Authenticator1795913855559,
  ChallengeDelivered1795914459796,
  Sessions1795990000000,
  SecondFactorAtomic1796000000000,
  SessionAcr1796000000001,
  SignInProof1796000000002,
  ChannelTls1796100000000,
  PrecisUsernames1796200000000,
  Webhooks1796300000000,
  RecoveryCodes1796400000000,
  RememberedDevices1796500000000,
  SelfServiceRegistration1796600000000,
  EmailTemplates1796700000000,
  WebhookJobQueue1796800000000,
];
