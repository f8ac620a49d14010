import { z } from 'zod';

// Ids are UUIDs; any other value names nothing, and is answered 404 by whoever looks it up
// (never 400: a family the caller cannot see and one that cannot exist look the same).
const id = (what: string, example: string) =>
  z.string().meta({ format: 'uuid', description: `the ${what}'s id`, example });

export const familyIdParameter = id('family', '019ad8a8-6b2f-7c41-9e0a-3f5b1c2d4e6f');
export const questionIdParameter = id('question', '019ad8b1-0c3e-7a12-8f4d-5e6a7b8c9d0e');

export const memberIdParameter = id('member', '019ad8a9-1f00-7e55-9b22-1c2d3e4f5a6b');

export const familyPath = z.object({ familyId: familyIdParameter });
