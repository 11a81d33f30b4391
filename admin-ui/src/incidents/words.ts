import { useCallback } from 'react';
import { useLocaleState } from 'react-admin';
import { incidentInWords } from '../../../lib/cases/incident-words';

/** An incident's message in the interface's language (lib/cases/incident-words.ts). */
export function useIncidentWords(): (message: string | null | undefined) => string {
  const [locale] = useLocaleState();
  return useCallback((message) => incidentInWords(message, locale === 'en' ? 'en' : 'zh-CN'), [locale]);
}
