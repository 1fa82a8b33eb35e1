import { Module } from '@nestjs/common';
import { UiController } from './ui.controller';

/** The reference web UI (static files): loaded only when UI_ENABLED. */
@Module({ controllers: [UiController] })
export class UiModule {}
