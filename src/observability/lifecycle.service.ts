import { Injectable } from '@nestjs/common';

/**
 * Whether this instance is shutting down. While draining, readiness answers 503 (the load
 * balancer stops sending) and every response says `Connection: close`, so keep-alive clients
 * move to another instance instead of holding this one open.
 */
@Injectable()
export class Lifecycle {
  private drainingFlag = false;
  private markStarted!: () => void;
  /**
   * Resolves once the start-up work is done (migrations applied): background work that reads
   * the schema (the webhook job runner) waits for it.
   */
  readonly started = new Promise<void>((resolve) => (this.markStarted = resolve));

  startupDone(): void {
    this.markStarted();
  }

  get draining(): boolean {
    return this.drainingFlag;
  }

  beginDrain(): void {
    this.drainingFlag = true;
  }
}
