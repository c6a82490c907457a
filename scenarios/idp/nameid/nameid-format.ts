// How an IdP scenario describes the NameID Format of what reached the mock SP: for observations,
// never for verdicts.
import type { AcsOutcome } from '../../../mock-sp/index.ts';
import { NS } from '../../../saml/constants.ts';
import { attr, descendants, parseRoot } from '../../../saml/xml.ts';

/**
 * The NameID Format as the assertion states it, for the observation only: an empty attribute is
 * "empty", a missing one "absent". Read from the signed identity, else from the first NameID in
 * the message as it arrived (unsigned content: described, never trusted).
 */
export function describeFormat(outcome: AcsOutcome | undefined): string {
  const identity = outcome?.validation.identity;
  let format: string | undefined;
  let where = '';
  if (identity) format = identity.nameIdFormat;
  else {
    let nameId;
    try {
      nameId = outcome?.xml ? descendants(parseRoot(outcome.xml), NS.saml, 'NameID')[0] : undefined;
    } catch {
      nameId = undefined;
    }
    if (!nameId) return 'its NameID could not be read (no plain NameID in the message)';
    format = attr(nameId, 'Format');
    where = ' (read from unsigned content)';
  }
  if (format === undefined) return `its NameID has no Format attribute${where}`;
  if (format === '') return `its NameID Format is empty (Format="")${where}`;
  return `its NameID Format is ${format}${where}`;
}
